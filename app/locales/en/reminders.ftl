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
