whatsapp-reading-the-chat = Leyendo el chat…
whatsapp-back-to-the-deal = Volver a la operación
whatsapp-how-to-read-it = Cómo leerlo
whatsapp-who-is-the-agency-in = ¿Quién es la agencia en este chat?
whatsapp-the-phone-s-time-zone = La zona horaria del teléfono
whatsapp-read-it-again = Leerlo de nuevo
whatsapp-these-look-like-more-than = Esto parece algo más que un mensaje. Márcalo para registrarlo como tal:
whatsapp-cancel = Cancelar
whatsapp-import-a-whatsapp-chat = Importar un chat de WhatsApp
whatsapp-messages-with = { $count ->
    [one] { $count } mensaje con { $name }
   *[other] { $count } mensajes con { $name }
}
whatsapp-all-there = Todos están ya en la cronología.
whatsapp-new-for = { $count ->
    [one] { $count } nuevo para la cronología de { $name }
   *[other] { $count } nuevos para la cronología de { $name }
}
whatsapp-attachments = { $count ->
    [one] { $count } adjunto guardado con su mensaje
   *[other] { $count } adjuntos guardados con sus mensajes
}
whatsapp-omitted-media = { $count } archivos omitidos por el teléfono («sin archivos»)
whatsapp-nothing-to-add = Nada que añadir
whatsapp-add-messages = { $count ->
    [one] Añadir { $count } mensaje a la cronología
   *[other] Añadir { $count } mensajes a la cronología
}
whatsapp-order-dmy = Día primero (31/12/2024)
whatsapp-order-mdy = Mes primero (12/31/2024)
whatsapp-order-ymd = Año primero (2024-12-31)
whatsapp-label-viewing = Visita o reserva
whatsapp-label-payment = Pago
whatsapp-label-complaint = Queja
whatsapp-notice-title = WhatsApp de { $client }

whatsapp-replies-not-set-up = Las respuestas por WhatsApp Business no están configuradas aquí: usa el botón de WhatsApp, que abre WhatsApp en tu móvil.
whatsapp-write-the-message-first = Escribe primero el mensaje.
whatsapp-could-not-record-it = El mensaje le llegó al cliente, pero Doorstep no pudo guardarlo: añádelo al historial como nota.
whatsapp-outside-24-hours = El cliente escribió por última vez hace más de 24 horas, y WhatsApp solo deja a una empresa escribir primero con una plantilla aprobada por Meta. Usa «Enviar una plantilla», que abre WhatsApp en tu móvil.
whatsapp-access-token-refused = WhatsApp rechazó el token de acceso de la agencia: pide a un administrador que renueve DOORSTEP_WHATSAPP_TOKEN.
whatsapp-number-cannot-receive = Este número no puede recibir mensajes de WhatsApp. Llama al cliente.
whatsapp-upload-is-gone = Este archivo ya no está. Vuelve a subir el chat.
whatsapp-upload-is-gone-or-old = Este archivo ya no está (se importó o tiene más de un día). Vuelve a subir el chat.
whatsapp-choose-date-order = Elige día primero, mes primero o año primero.
whatsapp-choose-a-time-zone = Elige una zona horaria de la lista.
whatsapp-choose-a-participant = Elige a uno de los participantes del chat.
whatsapp-chat-not-utf8 = El chat no es texto UTF-8. Sube el archivo tal como lo exportó WhatsApp (WhatsApp escribe en UTF-8).
whatsapp-file-is-empty = El archivo está vacío. Elige el .txt o el .zip que creó WhatsApp.
whatsapp-not-a-chat-export = Esto no es una exportación de chat. Sube el .txt o el .zip que creó WhatsApp con Exportar chat.
whatsapp-zip-has-no-chat = El zip no contiene ningún chat (un archivo .txt). Sube el zip que creó WhatsApp con Exportar chat.
whatsapp-zip-could-not-be-read = No se pudo leer el zip: { $error }.
whatsapp-file-too-large = El archivo pasa de { $mb } MB. Exporta el chat sin archivos multimedia, o por partes.
whatsapp-zip-could-not-be-read-again = No se pudo leer el zip: { $error }. Vuelve a subirlo tal como lo creó WhatsApp.
whatsapp-zip-too-many-files = El zip contiene más de { $max } archivos; no es una exportación de chat.
whatsapp-refused-the-message-because = WhatsApp rechazó el mensaje: { $reason }
whatsapp-refused-the-message = WhatsApp rechazó el mensaje (HTTP { $status }).
whatsapp-file-could-not-be-unpacked = No se pudo descomprimir { $name } del zip: { $error }.
whatsapp-file-unpacks-too-large = { $name } del zip ocupa más de { $mb } MB al descomprimirlo; no es una exportación de chat.
whatsapp-no-messages-in-file = Este archivo no contiene mensajes de WhatsApp. Exporta el chat desde WhatsApp (Exportar chat) y sube el .txt o el .zip que crea.
whatsapp-date-does-not-exist = La línea { $line } tiene una fecha que no existe ({ $text }). Revisa el orden de fecha que elegiste.

# What a colleague did, in the live banner of everyone viewing the deal, in each viewer's language.
whatsapp-event-replied = { $name } ha respondido por WhatsApp
whatsapp-event-wrote = { $name } ha escrito por WhatsApp
whatsapp-event-imported = { $count ->
        [one] { $name } ha importado { $count } mensaje de WhatsApp
       *[other] { $name } ha importado { $count } mensajes de WhatsApp
    }
# Lo que la cronología del trato guarda de un mensaje de WhatsApp que no es texto.
whatsapp-body-photo = Foto
whatsapp-body-video = Vídeo
whatsapp-body-document = Documento
whatsapp-body-voice-message = Mensaje de voz
whatsapp-body-sticker = Sticker
whatsapp-body-with-detail = { $kind }: { $detail }
whatsapp-body-location = Ubicación: { $place }
whatsapp-body-interactive-reply = Respuesta interactiva
whatsapp-body-other-kind = Un mensaje de tipo { $kind } (ábrelo en WhatsApp para verlo)
whatsapp-body-new-kind = Un mensaje de un tipo nuevo (ábrelo en WhatsApp para verlo)
