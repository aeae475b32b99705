deals-stale = Parada
deals-loading = Cargando…
deals-new-leads-waiting = Contactos nuevos esperando
deals-nobody-is-waiting-for-an = Nadie espera respuesta.
deals-going-stale = Operaciones paradas
deals-no-deal-has-waited-past = Ninguna operación ha superado el límite de su etapa.
deals-loading-the-pipeline = Cargando el embudo…
deals-search = Buscar
deals-source = Origen
deals-all-sources = Todos los orígenes
deals-everyone-s = De todos
deals-filter = Filtrar
deals-no-deals-here = No hay operaciones aquí.
deals-newer = Más recientes
deals-older = Más antiguas
deals-loading-the-deal = Cargando la operación…
deals-no-such-deal = Esta operación no existe
deals-back-to-the-pipeline = Volver al embudo
deals-you-are-replying-colleagues-see = Estás respondiendo. Tus compañeros lo verán durante cinco minutos.
deals-done-replying = Ya he respondido
deals-i-m-replying = Respondo yo
deals-call = Llamar
deals-whatsapp = WhatsApp
deals-e-mail = Correo
deals-budget = Presupuesto
deals-property = Inmueble
deals-move-in = Entrada
deals-arrived = Llegó
deals-first-answer = Primera respuesta
deals-owner = Responsable
deals-lost-because = Perdida por
deals-won-for = Ganada por
deals-what-happened = ¿Qué ha pasado?
deals-note-optional-with-a-button = Nota (opcional con un botón de arriba)
deals-save-note = Guardar nota
deals-apply-my-change-again = Aplicar de nuevo mi cambio
deals-stage = Etapa
deals-move-to = Mover a
deals-why-was-it-lost = ¿Por qué se ha perdido?
deals-choose-a-reason = Elige un motivo
deals-move = Mover
deals-reassign = Reasignar
deals-timeline = Cronología
deals-import-a-whatsapp-chat = Importar un chat de WhatsApp
deals-in-whatsapp-open-the-chat = En WhatsApp abre el chat, luego ⋮ o el nombre del contacto › Exportar chat, y sube aquí el .txt o el .zip. Verás lo que contiene antes de que se añada nada.
deals-chat-export = Chat exportado
deals-read-the-chat = Leer el chat
deals-edit-contact-details = Editar datos de contacto
deals-name = Nombre
deals-phone = Teléfono
deals-save-contact = Guardar contacto
deals-the-steps-every-deal-goes = Los pasos por los que pasa cada operación. Una etapa con operaciones no se puede borrar hasta moverlas.
deals-kind = Tipo
deals-order = Orden
deals-stale-after-days = Parada después de (días)
deals-save = Guardar
deals-delete = Borrar
deals-add-a-stage = Añadir una etapa
deals-open = abierta
deals-won = ganada
deals-lost = perdida
deals-stale-after-days-optional = Parada después de (días, opcional)
deals-add-stage = Añadir etapa
deals-reasons-for-losing-a-deal = Motivos para perder una operación
deals-one-per-line = Uno por línea
deals-save-reasons = Guardar motivos
deals-name-phone-or-e-mail = Nombre, teléfono o correo
deals-stages = Etapas
deals-pipeline = Embudo
deals-deal = Operación
deals-change-history = Historial de cambios ({ $count })
deals-count = { $count ->
    [one] { $count } operación
   *[other] { $count } operaciones
}
deals-waiting = Esperando { $time }
deals-final-value = Importe final ({ $currency })
deals-not-yet = todavía no
deals-nobody = nadie
deals-label-called-no-answer = Llamada: no contesta
deals-label-called-spoke = Llamada: hablamos
deals-label-whatsapp-sent = WhatsApp enviado
deals-label-email-sent = Correo enviado
deals-label-viewing-booked = Visita concertada
deals-label-payment-received = Pago recibido
deals-label-complaint = Queja
deals-label-question = Pregunta
deals-label-note = Nota
deals-label-inquiry = Consulta
deals-label-call = Llamada
deals-label-whatsapp = WhatsApp
deals-label-email = Correo
deals-label-viewing = Visita
deals-label-booking = Reserva
deals-label-payment = Pago
deals-label-stage-change = Etapa
deals-label-presentation = Presentación
deals-label-presentation-viewed = Abierta
deals-label-system = Sistema
deals-ago = hace { $time }
deals-is-replying = { $name } está respondiendo
deals-page-of = Página { $page } de { $pages }
deals-is-replying-to-this-client = { $name } está respondiendo a este cliente. Espera a que termine antes de contestar.
deals-read-only = Esta operación es de { $owner }. Anota aquí lo que sepas; { $owner } o un responsable cambia su etapa, sus datos y sus seguimientos.
deals-whatsapp-imported = { $count ->
    [one] { $count } mensaje de WhatsApp añadido a la cronología.
   *[other] { $count } mensajes de WhatsApp añadidos a la cronología.
}
deals-system = sistema
deals-choose-open-won-or-lost = Elige abierta, ganada o perdida.
deals-choose-what-happened = Elige qué ha pasado con los botones.
deals-notice-given = { $who } te ha pasado { $what }
deals-notice-deals = { $count ->
    [one] una operación
   *[other] { $count } operaciones
}

deals-another-contact-has-this-number = Otro contacto ya tiene este número o esta dirección.
deals-choose-a-stage-from-the-list = Elige una etapa de la lista.
deals-choose-why-the-deal-was-lost = Elige por qué se perdió la operación.
deals-tick-the-deals-to-hand-over = Marca las operaciones que quieres traspasar.
deals-keep-a-phone-or-an-email = Deja un teléfono o un correo electrónico; si no, nadie podrá contactar con él.
deals-write-the-note-first = Escribe primero la nota.
deals-keep-a-note-under = La nota no puede pasar de 5000 caracteres.
deals-enter-the-final-value = Escribe el importe final, como 250000.
deals-give-the-stage-a-name = Ponle a la etapa un nombre de 40 caracteres como máximo.
deals-use-1-to-365-days = Usa de 1 a 365 días, o déjalo vacío.
deals-another-stage-has-this-name = Ya hay otra etapa con este nombre.
deals-pipeline-needs-an-open-stage = El embudo necesita al menos una etapa abierta para los contactos nuevos.
deals-keep-at-least-one-reason = Deja al menos un motivo, uno por línea.
deals-give-the-position-as-a-number = Escribe la posición como un número.
deals-give-the-days-as-a-number = Escribe los días como un número, o déjalo vacío.
deals-hand-over-at-most = Traspasa como máximo { $max } operaciones a la vez.
deals-already-has-this-number = { $name } ya tiene este número.
deals-already-has-this-address = { $name } ya tiene esta dirección.
deals-stage-holds-deals-kind = { $held ->
    [one] Esta etapa tiene { $held } operación. Muévela a otra etapa antes de cambiar su tipo.
   *[other] Esta etapa tiene { $held } operaciones. Muévelas a otra etapa antes de cambiar su tipo.
}
deals-stage-holds-deals = { $held ->
    [one] Esta etapa tiene { $held } operación. Muévela antes a otra etapa.
   *[other] Esta etapa tiene { $held } operaciones. Muévelas antes a otra etapa.
}
deals-greeting = Hola { $client }, soy { $agent } de { $agency }. Te escribo por tu consulta.

# What a colleague did, in the live banner of everyone viewing the deal, in each viewer's language.
deals-event-replying = { $name } está respondiendo
deals-event-stopped-replying = { $name } ha dejado de responder
deals-event-moved = { $name } la ha movido a { $stage }
deals-event-gave = { $name } se la ha pasado a { $owner }
deals-event-edited-contact = { $name } ha editado el contacto
deals-event-logged = { $name } ha anotado: { $outcome ->
        [called_no_answer] { deals-label-called-no-answer }
        [called_spoke] { deals-label-called-spoke }
        [whatsapp_sent] { deals-label-whatsapp-sent }
        [email_sent] { deals-label-email-sent }
        [viewing_booked] { deals-label-viewing-booked }
        [payment_received] { deals-label-payment-received }
        [complaint] { deals-label-complaint }
        [question] { deals-label-question }
       *[note] { deals-label-note }
    }

# A field of a deal, in its history and when an edit meets a colleague's.
deals-field-stage = etapa
deals-field-owner = responsable
deals-field-lost-reason = motivo de pérdida
deals-field-won-value = importe ganado
deals-field-contact-name = nombre del contacto
deals-field-contact-phone = teléfono del contacto
deals-field-contact-email = correo del contacto
deals-field-contact-whatsapp = WhatsApp del contacto
deals-conflict-someone = Alguien
deals-conflict-nothing = nada
deals-conflict-change = { $who } cambió { $field } de { $old } a { $new } ({ $when })
deals-conflict-someone-else = Otra persona ha cambiado esta operación
deals-conflict-not-saved = { $what }. Tu cambio no se ha guardado: comprueba que sigue teniendo sentido y vuelve a aplicarlo.
deals-shorten-the-reason = Acorta «{ $reason }» a 80 caracteres como mucho.
# The names a new agency's stages and lost reasons start with (Doorstep renames those nobody
# changed when the agency's language changes).
deals-default-stage-new = Nuevo
deals-default-stage-contacted = Contactado
deals-default-stage-viewing = Visita
deals-default-stage-offer = Oferta
deals-default-stage-won = Ganado
deals-default-stage-lost = Perdido
deals-default-reason-elsewhere = Compró o alquiló en otro sitio
deals-default-reason-budget = El presupuesto no encaja
deals-default-reason-not-looking = Ya no busca
deals-default-reason-unreachable = No fue posible contactar
deals-default-reason-other-agency = Eligió otra agencia
deals-all-matches = Todas
deals-no-match = Ninguna operación coincide con «{ $search }».
deals-search-capped = Coinciden más de { $limit } operaciones. Se muestran las de los clientes más recientes; escribe más del nombre, un teléfono o un e-mail para acotar.
