reminders-next-step = Siguiente paso
reminders-done-what-is-the-next = Hecho. ¿Cuál es el siguiente paso?
reminders-no-next-step-planned = Sin siguiente paso previsto
reminders-or-start-a-plan = O empieza un plan
reminders-start = Empezar
reminders-done = Hecho
reminders-tomorrow = Mañana
reminders-cancel = Cancelar
reminders-move-to-another-time = Pasar a otra hora
reminders-new-time = Nueva hora
reminders-move = Cambiar
reminders-what = Qué
reminders-how = Cómo
reminders-or-pick-a-time = O elige una hora
reminders-set = Programar
reminders-follow-ups-today = Seguimientos de hoy
reminders-nothing-due-today = Nada pendiente hoy.
reminders-no-next-step = Sin siguiente paso
reminders-follow-ups-in-your-calendar = Seguimientos en tu calendario
reminders-subscribe-your-phone-s-calendar = Suscribe el calendario de tu móvil a una dirección privada: tus seguimientos aparecerán allí, con un aviso cuando toque cada uno.
reminders-your-calendar-address-shown-once = La dirección de tu calendario (se muestra una vez; no la compartas):
reminders-subscribe-on-this-phone = Suscribirse en este móvil
reminders-turn-it-off = Desactivarla
reminders-cancel-this-follow-up = Cancelar este seguimiento
reminders-call-back-send-the-brochure = Volver a llamar, enviar el folleto…
reminders-calendar-address = Dirección del calendario
reminders-plan-steps = { $name } ({ $count ->
    [one] { $count } paso
   *[other] { $count } pasos
})
reminders-replace-address = Cambiar la dirección
reminders-create-address = Crear una dirección de calendario
