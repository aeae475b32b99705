notifications-loading = Cargando…
notifications-nothing-yet-new-leads-and = Nada por ahora. Aquí aparecen los contactos nuevos y los seguimientos.
notifications-notifications = Avisos
notifications-mail-open = Ábrela en Doorstep: { $url }
