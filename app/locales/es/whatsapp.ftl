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
