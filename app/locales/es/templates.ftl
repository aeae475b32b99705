templates-placeholders = Marcadores
templates-loading = Cargando…
templates-no-templates-yet-write-the = Aún no hay plantillas: escribe la primera abajo.
templates-new-template = Nueva plantilla
templates-name = Nombre
templates-message = Mensaje
templates-add-template = Añadir plantilla
templates-save = Guardar
templates-delete = Borrar
templates-write-on-whatsapp = Escribir por WhatsApp
templates-reply-from-the-agency-s = Responder desde el número de la agencia
templates-send-reply = Enviar respuesta
templates-send-a-template = Enviar una plantilla
templates-send-on-whatsapp = Enviar por WhatsApp
templates-first-answer = Primera respuesta
templates-hi-first-name-this-is = Hola { "{" }first_name{ "}" }, soy { "{" }agent{ "}" } de { "{" }agency{ "}" }. Gracias por preguntar por { "{" }property{ "}" }: ¿cuándo podemos llamarte?
templates-message-templates = Plantillas de mensajes
templates-delete-named = Borrar la plantilla { $name }
templates-explained = Los mensajes que el equipo envía una y otra vez, escritos una sola vez. En una operación, el agente elige uno: WhatsApp se abre con el número del cliente y el texto rellenado, y la cronología de la operación lo registra.
templates-send-named = Enviar { $name } por WhatsApp
templates-placeholder-first-name = el nombre de pila del cliente
templates-placeholder-name = el nombre completo del cliente
templates-placeholder-agent = tu nombre
templates-placeholder-agency = el nombre de la agencia
templates-placeholder-property = el inmueble de la operación
templates-placeholder-link = el enlace de la última presentación de la operación

templates-template-was-removed = Esta plantilla se ha eliminado; elige otra.
templates-client-has-no-phone = El cliente no tiene número de teléfono: añade uno en Editar datos de contacto.
templates-write-the-message = Escribe el mensaje.
templates-deal-names-no-listing = La operación aún no tiene ningún inmueble: añade su referencia o haz una presentación.
templates-deal-has-no-live-link = La operación no tiene un enlace de presentación activo: haz primero una presentación.
templates-keep-the-name-under = El nombre no puede pasar de { $max } caracteres.

# What a colleague did, in the live banner of everyone viewing the deal, in each viewer's language.
templates-event-sent = { $name } ha enviado «{ $template }» por WhatsApp
templates-give-the-template-a-name = Ponle a la plantilla un nombre que el equipo reconozca, como «Primera respuesta».
templates-name-taken = Ya hay una plantilla llamada «{ $name }».
