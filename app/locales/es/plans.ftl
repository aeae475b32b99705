plans-loading = Cargando…
plans-new-plan = Nuevo plan
plans-name = Nombre
plans-create-plan = Crear plan
plans-starts-by-itself = Empieza solo
plans-a-plan-can-start-on = Un plan puede empezar con cada contacto nuevo de un formulario o con cada operación que entra en una etapa.
plans-no-plan = Ningún plan
plans-save = Guardar
plans-in-use = En uso
plans-remove = Quitar
plans-no-steps-yet-add-the = Aún no hay pasos: añade el primero abajo.
plans-add-a-step = Añadir un paso
plans-after = Después de
plans-unit = Unidad
plans-minutes = minutos
plans-hours = horas
plans-days = días
plans-at-optional = A las (opcional)
plans-how = Cómo
plans-what-to-do = Qué hacer
plans-message-optional = Mensaje (opcional)
plans-add-step = Añadir paso
plans-delete-plan = Borrar plan
plans-new-buyer-lead = Nuevo comprador
plans-call-to-introduce-yourself = Llamar para presentarte
plans-hello-first-name-this-is = Hola { "{" }first_name{ "}" }, soy { "{" }agent{ "}" } de { "{" }agency{ "}" }…
plans-follow-up-plans = Planes de seguimiento
plans-explained = Un plan es una secuencia de seguimientos. Al empezarlo en una operación, cada paso se convierte en un recordatorio para su responsable; ganar o perder la operación cancela los pasos que queden.
plans-starter-form = Contacto nuevo del formulario «{ $form }»
plans-starter-stage = Operación pasada a { $stage }

plans-give-the-plan-a-name = Ponle al plan un nombre de hasta 80 caracteres.
plans-another-plan-has-this-name = Ya hay otro plan con este nombre.
plans-say-what-to-do = Di qué hay que hacer, en 120 caracteres como máximo.
plans-keep-the-message-under = El mensaje no puede pasar de 2000 caracteres.
plans-choose-a-plan-from-the-list = Elige un plan de la lista.
plans-closed-deal-needs-no-follow-ups = Una operación ganada o perdida no necesita seguimientos; elige una etapa abierta.
plans-deal-is-closed-reopen-it = Esta operación está cerrada; reábrela antes de planificar seguimientos.
plans-deal-has-no-owner = La operación no tiene un agente que haga el seguimiento; asígnala primero.
plans-give-the-time-like = Escribe la hora como 09:30, o déjala vacía.
plans-give-a-whole-number = Escribe un número entero, como 2.
plans-choose-minutes-hours-or-days = Elige minutos, horas o días.
plans-keep-the-offset-within-a-year = El plazo tiene que estar entre ahora y dentro de un año.

# What a colleague did, in the live banner of everyone viewing the deal, in each viewer's language.
plans-event-started = { $name } ha iniciado el plan «{ $plan }»
plans-starts-by-itself-from = Empieza solo: { $starters }
plans-remove-step = Quitar el paso { $title }
plans-when-at-once = En el acto
plans-when-same-day = El mismo día a las { $at }
plans-when-next-day = Al día siguiente a las { $at }
plans-when-day = Día { $days } a las { $at }
plans-when-after-days = { $n ->
    [one] Al cabo de 1 día
   *[other] Al cabo de { $n } días
}
plans-when-after-hours = { $n ->
    [one] Al cabo de 1 hora
   *[other] Al cabo de { $n } horas
}
plans-when-after-minutes = { $n ->
    [one] Al cabo de 1 minuto
   *[other] Al cabo de { $n } minutos
}
