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
reminders-label-call = Llamar
reminders-label-whatsapp = WhatsApp
reminders-label-email = Correo
reminders-label-viewing = Visita
reminders-label-other = Otro
reminders-label-in-an-hour = En 1 hora
reminders-label-this-evening = Esta tarde
reminders-label-tomorrow-morning = Mañana a las 9:00
reminders-label-in-three-days = En 3 días
reminders-label-next-monday = El lunes que viene
reminders-back-call = Devolver la llamada
reminders-back-whatsapp = Responder por WhatsApp
reminders-back-email = Responder al correo
reminders-back-viewing = Concertar otra visita
reminders-back-other = Hacer seguimiento
reminders-overdue = Vencido · { $due }
reminders-use-pending-done-or-cancelled = Usa pending, done o cancelled.
reminders-choose-a-kind = Elige llamada, WhatsApp, correo, visita u otro.

# Notices the scheduler raises: escalations to managers, deals going stale, the morning digest.
reminders-late-days = { $days ->
    [one] 1 día
   *[other] { $days } días
}
reminders-late-hours = { $hours } h { $minutes } min
reminders-late-minutes = { $minutes } min
reminders-nobody = Nadie
reminders-escalation-title = Vencido hace { $late }: { $title } · { $client }
reminders-escalation-body = { $who } debía hacerlo antes del { $due }.
reminders-stale-title = Se está parando: { $client }
reminders-stale-body = No ha pasado nada en { $days ->
    [one] 1 día
   *[other] { $days } días
} en { $stage }. Contacta o muévela de etapa.
reminders-digest-title = Tu día: { $headline }
reminders-digest-more = y { $count } más
reminders-day-due = { $count ->
    [one] 1 seguimiento para hoy
   *[other] { $count } seguimientos para hoy
}
reminders-day-overdue = { $count ->
    [one] 1 vencido
   *[other] { $count } vencidos
}
reminders-day-waiting = { $count ->
    [one] 1 contacto nuevo esperando
   *[other] { $count } contactos nuevos esperando
}
reminders-day-stale = { $count ->
    [one] 1 operación parada
   *[other] { $count } operaciones paradas
}
reminders-follow-up-title = Seguimiento: { $title } · { $client }
reminders-due-at = Para las { $time }
reminders-due-late = Para las { $time } (con retraso)
reminders-calendar-name = Seguimientos de Doorstep: { $name }

reminders-nobody-owns-this-deal = Esta operación no tiene agente: indica quién debe hacer el seguimiento.
reminders-keep-the-title-under = El título no puede pasar de 120 caracteres.
reminders-already-done-or-cancelled = Este seguimiento ya está hecho o cancelado.
reminders-pick-a-date-and-a-time = Elige una fecha y una hora.
reminders-choose-one-of-the-buttons = Elige uno de los botones.
reminders-that-time-has-passed = Esa hora ya ha pasado; elige una posterior.

# What a colleague did, in the live banner of everyone viewing the deal, in each viewer's language.
reminders-event-set = { $name } ha programado un seguimiento
reminders-event-completed = { $name } ha completado un seguimiento
