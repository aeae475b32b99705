reminders-next-step = Next step
reminders-done-what-is-the-next = Done. What is the next step?
reminders-no-next-step-planned = No next step planned
reminders-or-start-a-plan = Or start a plan
reminders-start = Start
reminders-done = Done
reminders-tomorrow = Tomorrow
reminders-cancel = Cancel
reminders-move-to-another-time = Move to another time
reminders-new-time = New time
reminders-move = Move
reminders-what = What
reminders-how = How
reminders-or-pick-a-time = Or pick a time
reminders-set = Set
reminders-follow-ups-today = Follow-ups today
reminders-nothing-due-today = Nothing due today.
reminders-no-next-step = No next step
reminders-follow-ups-in-your-calendar = Follow-ups in your calendar
reminders-subscribe-your-phone-s-calendar = Subscribe your phone's calendar to a private address: your follow-ups appear there, with an alert when each is due.
reminders-your-calendar-address-shown-once = Your calendar address (shown once; keep it private):
reminders-subscribe-on-this-phone = Subscribe on this phone
reminders-turn-it-off = Turn it off
reminders-cancel-this-follow-up = Cancel this follow-up
reminders-call-back-send-the-brochure = Call back, send the brochure…
reminders-calendar-address = Calendar address
reminders-plan-steps = { $name } ({ $count ->
    [one] { $count } step
   *[other] { $count } steps
})
reminders-replace-address = Replace the address
reminders-create-address = Create a calendar address
reminders-label-call = Call
reminders-label-whatsapp = WhatsApp
reminders-label-email = E-mail
reminders-label-viewing = Viewing
reminders-label-other = Other
reminders-label-in-an-hour = In 1 hour
reminders-label-this-evening = This evening
reminders-label-tomorrow-morning = Tomorrow 9:00
reminders-label-in-three-days = In 3 days
reminders-label-next-monday = Next Monday
reminders-back-call = Call back
reminders-back-whatsapp = WhatsApp back
reminders-back-email = E-mail back
reminders-back-viewing = Viewing back
reminders-back-other = Other back
reminders-overdue = Overdue · { $due }
reminders-use-pending-done-or-cancelled = Use pending, done or cancelled.
reminders-choose-a-kind = Choose call, WhatsApp, e-mail, viewing or other.

# Notices the scheduler raises: escalations to managers, deals going stale, the morning digest.
reminders-late-days = { $days ->
    [one] 1 day
   *[other] { $days } days
}
reminders-late-hours = { $hours } h { $minutes } min
reminders-late-minutes = { $minutes } min
reminders-nobody = Nobody
reminders-escalation-title = Overdue { $late }: { $title } · { $client }
reminders-escalation-body = { $who } was to do this by { $due }.
reminders-stale-title = Going stale: { $client }
reminders-stale-body = Nothing has happened for { $days ->
    [one] 1 day
   *[other] { $days } days
} in { $stage }. Get in touch or move it on.
reminders-digest-title = Your day: { $headline }
reminders-digest-more = and { $count } more
reminders-day-due = { $count ->
    [one] 1 follow-up due today
   *[other] { $count } follow-ups due today
}
reminders-day-overdue = { $count } overdue
reminders-day-waiting = { $count ->
    [one] 1 new lead waiting
   *[other] { $count } new leads waiting
}
reminders-day-stale = { $count ->
    [one] 1 deal going stale
   *[other] { $count } deals going stale
}
reminders-follow-up-title = Follow up: { $title } · { $client }
reminders-due-at = Due { $time }
reminders-due-late = Due { $time } (late)
reminders-calendar-name = Doorstep follow-ups: { $name }

reminders-nobody-owns-this-deal = Nobody owns this deal: name who should follow it up.
reminders-keep-the-title-under = Keep the title under 120 characters.
reminders-already-done-or-cancelled = This follow-up is already done or cancelled.
reminders-pick-a-date-and-a-time = Pick a date and a time.
reminders-choose-one-of-the-buttons = Choose one of the buttons.
reminders-that-time-has-passed = That time has passed; pick one ahead.

# What a colleague did, in the live banner of everyone viewing the deal, in each viewer's language.
reminders-event-set = { $name } set a follow-up
reminders-event-completed = { $name } completed a follow-up
