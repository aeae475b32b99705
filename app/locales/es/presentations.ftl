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
