presentations-letter = Carta
presentations-link-until-withdrawn = Enlace hasta retirarlo
presentations-link-for-7-days = Enlace durante 7 días
presentations-link-for-30-days = Enlace durante 30 días
presentations-send-on-whatsapp = Enviar por WhatsApp
presentations-open = Abrir
presentations-pdf = PDF
presentations-withdraw-link = Retirar el enlace
presentations-presentations = Presentaciones
presentations-photos = Fotos
presentations-not-added = No añadidas:
presentations-no-photos-yet-the-first = Aún no hay fotos. La primera será la portada.
presentations-cover = Portada
presentations-add-photos-jpeg-png-or = Añadir fotos (JPEG, PNG o WebP)
presentations-upload = Subir
presentations-present-it = Presentarlo
presentations-a-pdf-and-a-link = Un PDF y un enlace para enviar a quien quieras. Para saber cuándo lo abre un cliente, preséntalo desde su operación.
presentations-make-a-presentation = Hacer una presentación
presentations-paper = Papel
presentations-the-link-lasts = El enlace dura
presentations-share-link = Enlace para compartir
presentations-earlier = Antes
presentations-later = Después
presentations-remove = Quitar
presentations-tick-listings = Marca los inmuebles que presentar
presentations-make-of = Hacer una presentación de { $count }
presentations-withdrawn = Retirada
presentations-expired = Caducada
presentations-not-opened = Aún sin abrir
presentations-opened-last = { $count ->
    [one] Abierta una vez, { $at }
   *[other] Abierta { $count } veces, la última { $at }
}
presentations-opened = { $count ->
    [one] Abierta una vez
   *[other] Abierta { $count } veces
}
presentations-until = { " · " }hasta { $at }
presentations-email-to = Enviar el PDF por correo a { $to }
presentations-put-in = Incluir en la presentación

## La presentación que lee el cliente (PDF y página para compartir), en su idioma.

presentations-pdf-per-month = { $price } al mes
presentations-pdf-kind-sale = { $kind } en venta
presentations-pdf-kind-rent = { $kind } en alquiler
presentations-pdf-bedrooms = Dormitorios
presentations-pdf-bathrooms = Baños
presentations-pdf-built = Superficie construida
presentations-pdf-plot = Parcela
presentations-pdf-year = Año de construcción
presentations-pdf-energy = Certificado energético
presentations-pdf-status = Estado
presentations-pdf-price = Precio
presentations-pdf-price-m2 = Precio por m²
presentations-pdf-area = Zona
presentations-pdf-prepared-for = Preparado para { $client } por { $agent }, { $date }
presentations-pdf-prepared = Preparado por { $agent }, { $date }
presentations-pdf-side-by-side = Comparativa
presentations-pdf-features = Características
presentations-pdf-your-agent = Tu agente
presentations-pdf-phone = Teléfono
presentations-pdf-email = Correo
presentations-pdf-scan = Escanéalo con el móvil

## La página que abre el cliente.

share-selected-for = { $count } viviendas seleccionadas para { $client }
share-selected = { $count } viviendas seleccionadas para ti
share-prepared-for = Preparado para { $client } por { $agent }
share-listing-line = { $kind } · { $place } · Ref. { $reference }
share-whatsapp-one = Hola { $agent }, sobre { $title } ({ $reference }):{ " " }
share-whatsapp-many = Hola { $agent }, sobre las viviendas que me enviaste:{ " " }
share-the-agent = tu agente
share-whatsapp-button = WhatsApp a { $agent }
share-download = Descargar el PDF

# When the client opens the presentation: the deal's timeline, the agents' notice, their follow-up.
presentations-the-client = El cliente
presentations-listings-count = { $count ->
    [one] 1 inmueble
   *[other] { $count } inmuebles
}
presentations-opened-entry = { $client } abrió la presentación ({ $what })
presentations-opened-notice = { $client } abrió la presentación: llama ahora
presentations-opened-event = { $client } abrió la presentación
presentations-call-back = Llama a { $client }: ha abierto la presentación

# The e-mail that carries a presentation to the client, in the client's language.
presentations-mail-hello = Hola, { $name }:
presentations-mail-intro = { $count ->
    [one] aquí tienes la vivienda de la que hablamos:
   *[other] aquí tienes las viviendas que he elegido para ti:
}
presentations-mail-attached = La presentación va adjunta en PDF, y aquí la tienes en el móvil:
presentations-mail-subject = { $agency }: { $count } viviendas para ti
presentations-mail-not-set-up = El correo no está configurado en este Doorstep: un administrador lo activa con --smtp-url. Mientras tanto, envía el enlace por WhatsApp.
presentations-link-withdrawn = Este enlace se retiró: crea una presentación nueva.
presentations-link-expired = Este enlace ha caducado: crea una presentación nueva.
presentations-no-email = { $client } no tiene correo electrónico: añade uno antes en Datos de contacto.
presentations-mailed-entry = Presentación enviada por correo a { $to }
presentations-whatsapp-entry = Presentación enviada por WhatsApp: { $titles }

presentations-pick-at-least-one-listing = Elige al menos un inmueble.
presentations-listing-no-longer-exists = Uno de estos inmuebles ya no existe.
presentations-choose-a4-or-letter = Elige a4 o letter (carta).
presentations-say-which-agent-presents-it = Indica qué agente la presenta: agent_id.
presentations-no-active-user-has-this-id = Ningún usuario activo tiene este id.
presentations-not-for-a-client-send-link = Esta presentación no es para el cliente de una operación: envía su enlace.
presentations-not-for-a-client = Esta presentación no es para el cliente de una operación.
presentations-holds-up-to-listings = Una presentación admite hasta { $max } inmuebles.
presentations-give-expiry-days = Indica de 1 a { $max } días, o déjalo vacío para un enlace que dure hasta que lo retires.

# What a colleague did, in the live banner of everyone viewing the deal, in each viewer's language.
presentations-event-made = { $name } ha hecho una presentación
presentations-event-emailed = { $name } ha enviado una presentación por correo
presentations-event-sent-on-whatsapp = { $name } ha enviado una presentación por WhatsApp
presentations-event-revoked = { $name } ha retirado un enlace de presentación
presentations-opened-event-no-name = El cliente abrió la presentación
presentations-sent-to = Enviada a { $to }.
presentations-timeline-made = Presentación preparada: { $titles }
presentations-link-unknown-title = Enlace no encontrado
presentations-link-unknown-text = Este enlace no existe. Comprueba que se copió entero o pide a tu agente que te lo envíe de nuevo.
presentations-link-withdrawn-title = Enlace retirado
presentations-link-withdrawn-text = Tu agente ha retirado esta presentación. Pídele un enlace nuevo.
presentations-link-expired-title = Enlace caducado
presentations-link-expired-text = El enlace de esta presentación ha caducado. Pide uno nuevo a tu agente.
