plans-loading = Loading…
plans-new-plan = New plan
plans-name = Name
plans-create-plan = Create plan
plans-starts-by-itself = Starts by itself
plans-a-plan-can-start-on = A plan can start on every new lead from a form, or on every deal that enters a stage.
plans-no-plan = No plan
plans-save = Save
plans-in-use = In use
plans-remove = Remove
plans-no-steps-yet-add-the = No steps yet: add the first below.
plans-add-a-step = Add a step
plans-after = After
plans-unit = Unit
plans-minutes = minutes
plans-hours = hours
plans-days = days
plans-at-optional = At (optional)
plans-how = How
plans-what-to-do = What to do
plans-message-optional = Message (optional)
plans-add-step = Add step
plans-delete-plan = Delete plan
plans-new-buyer-lead = New buyer lead
plans-call-to-introduce-yourself = Call to introduce yourself
plans-hello-first-name-this-is = Hello { "{" }first_name{ "}" }, this is { "{" }agent{ "}" } from { "{" }agency{ "}" }…
plans-follow-up-plans = Follow-up plans
plans-explained = A plan is a sequence of follow-ups. Started on a deal, each step becomes a reminder for the deal's owner; winning or losing the deal cancels the steps still to come.
plans-starter-form = New lead from the form "{ $form }"
plans-starter-stage = Deal moved to { $stage }

plans-give-the-plan-a-name = Give the plan a name of up to 80 characters.
plans-another-plan-has-this-name = Another plan has this name.
plans-say-what-to-do = Say what to do, in up to 120 characters.
plans-keep-the-message-under = Keep the message under 2000 characters.
plans-choose-a-plan-from-the-list = Choose a plan from the list.
plans-closed-deal-needs-no-follow-ups = A won or lost deal needs no follow-ups; choose an open stage.
plans-deal-is-closed-reopen-it = This deal is closed; reopen it before planning follow-ups.
plans-deal-has-no-owner = The deal has no owner to follow it up; assign it first.
plans-give-the-time-like = Give the time as 09:30, or leave it empty.
plans-give-a-whole-number = Give a whole number, like 2.
plans-choose-minutes-hours-or-days = Choose minutes, hours or days.
plans-keep-the-offset-within-a-year = Keep the offset between now and a year ahead.

# What a colleague did, in the live banner of everyone viewing the deal, in each viewer's language.
plans-event-started = { $name } started the plan "{ $plan }"
plans-starts-by-itself-from = Starts by itself: { $starters }
plans-remove-step = Remove the step { $title }
plans-when-at-once = At once
plans-when-same-day = Same day at { $at }
plans-when-next-day = Next day at { $at }
plans-when-day = Day { $days } at { $at }
plans-when-after-days = { $n ->
    [one] After 1 day
   *[other] After { $n } days
}
plans-when-after-hours = { $n ->
    [one] After 1 hour
   *[other] After { $n } hours
}
plans-when-after-minutes = { $n ->
    [one] After 1 minute
   *[other] After { $n } minutes
}
