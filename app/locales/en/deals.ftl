deals-stale = Stale
deals-loading = Loading…
deals-new-leads-waiting = New leads waiting
deals-nobody-is-waiting-for-an = Nobody is waiting for an answer.
deals-going-stale = Going stale
deals-no-deal-has-waited-past = No deal has waited past its stage's limit.
deals-loading-the-pipeline = Loading the pipeline…
deals-search = Search
deals-source = Source
deals-all-sources = All sources
deals-everyone-s = Everyone's
deals-filter = Filter
deals-no-deals-here = No deals here.
deals-newer = Newer
deals-older = Older
deals-loading-the-deal = Loading the deal…
deals-no-such-deal = No such deal
deals-back-to-the-pipeline = Back to the pipeline
deals-you-are-replying-colleagues-see = You are replying. Colleagues see it for five minutes.
deals-done-replying = Done replying
deals-i-m-replying = I'm replying
deals-call = Call
deals-whatsapp = WhatsApp
deals-e-mail = E-mail
deals-budget = Budget
deals-property = Property
deals-move-in = Move-in
deals-arrived = Arrived
deals-first-answer = First answer
deals-owner = Owner
deals-lost-because = Lost because
deals-won-for = Won for
deals-what-happened = What happened?
deals-note-optional-with-a-button = Note (optional with a button above)
deals-save-note = Save note
deals-apply-my-change-again = Apply my change again
deals-stage = Stage
deals-move-to = Move to
deals-why-was-it-lost = Why was it lost?
deals-choose-a-reason = Choose a reason
deals-move = Move
deals-reassign = Reassign
deals-timeline = Timeline
deals-import-a-whatsapp-chat = Import a WhatsApp chat
deals-in-whatsapp-open-the-chat = In WhatsApp open the chat, then ⋮ or the contact's name › Export chat, and upload the .txt or .zip here. You will see what it holds before anything is added.
deals-chat-export = Chat export
deals-read-the-chat = Read the chat
deals-edit-contact-details = Edit contact details
deals-name = Name
deals-phone = Phone
deals-save-contact = Save contact
deals-the-steps-every-deal-goes = The steps every deal goes through. A stage that holds deals cannot be deleted until they are moved.
deals-kind = Kind
deals-order = Order
deals-stale-after-days = Stale after (days)
deals-save = Save
deals-delete = Delete
deals-add-a-stage = Add a stage
deals-open = open
deals-won = won
deals-lost = lost
deals-stale-after-days-optional = Stale after (days, optional)
deals-add-stage = Add stage
deals-reasons-for-losing-a-deal = Reasons for losing a deal
deals-one-per-line = One per line
deals-save-reasons = Save reasons
deals-name-phone-or-e-mail = Name, phone or e-mail
deals-stages = Stages
deals-pipeline = Pipeline
deals-deal = Deal
deals-change-history = Change history ({ $count })
deals-count = { $count ->
    [one] { $count } deal
   *[other] { $count } deals
}
deals-waiting = Waiting { $time }
deals-final-value = Final value ({ $currency })
deals-not-yet = not yet
deals-nobody = nobody
deals-label-called-no-answer = Called: no answer
deals-label-called-spoke = Called: spoke
deals-label-whatsapp-sent = WhatsApp sent
deals-label-email-sent = E-mail sent
deals-label-viewing-booked = Viewing booked
deals-label-payment-received = Payment received
deals-label-complaint = Complaint
deals-label-question = Question
deals-label-note = Note
deals-label-inquiry = Inquiry
deals-label-call = Call
deals-label-whatsapp = WhatsApp
deals-label-email = E-mail
deals-label-viewing = Viewing
deals-label-booking = Booking
deals-label-payment = Payment
deals-label-stage-change = Stage
deals-label-presentation = Presentation
deals-label-presentation-viewed = Opened
deals-label-system = System
deals-ago = { $time } ago
deals-is-replying = { $name } is replying
deals-page-of = Page { $page } of { $pages }
deals-is-replying-to-this-client = { $name } is replying to this client. Wait for them before you answer.
deals-read-only = { $owner } owns this deal. Log what you hear here; { $owner } or a manager changes its stage, details and follow-ups.
deals-whatsapp-imported = { $count ->
    [one] { $count } WhatsApp message added to the timeline.
   *[other] { $count } WhatsApp messages added to the timeline.
}
deals-system = system
deals-choose-open-won-or-lost = Choose open, won or lost.
deals-choose-what-happened = Choose what happened from the buttons.
deals-notice-given = { $who } gave you { $what }
deals-notice-deals = { $count ->
    [one] a deal
   *[other] { $count } deals
}

deals-another-contact-has-this-number = Another contact has this number or address.
deals-choose-a-stage-from-the-list = Choose a stage from the list.
deals-choose-why-the-deal-was-lost = Choose why the deal was lost.
deals-tick-the-deals-to-hand-over = Tick the deals to hand over.
deals-keep-a-phone-or-an-email = Keep a phone number or an e-mail address, or nobody can reach them.
deals-write-the-note-first = Write the note first.
deals-keep-a-note-under = Keep a note under 5000 characters.
deals-enter-the-final-value = Enter the final value, like 250000.
deals-give-the-stage-a-name = Give the stage a name of at most 40 characters.
deals-use-1-to-365-days = Use 1 to 365 days, or leave it empty.
deals-another-stage-has-this-name = Another stage has this name.
deals-pipeline-needs-an-open-stage = The pipeline needs at least one open stage for new leads.
deals-keep-at-least-one-reason = Keep at least one reason, one per line.
deals-give-the-position-as-a-number = Give the position as a number.
deals-give-the-days-as-a-number = Give the days as a number, or leave it empty.
deals-hand-over-at-most = Hand over at most { $max } deals at once.
deals-already-has-this-number = { $name } already has this number.
deals-already-has-this-address = { $name } already has this address.
deals-stage-holds-deals-kind = This stage holds { $held } deals. Move them to another stage before changing its kind.
deals-stage-holds-deals = This stage holds { $held } deals. Move them to another stage first.
deals-greeting = Hello { $client }, this is { $agent } from { $agency } about your inquiry.

# What a colleague did, in the live banner of everyone viewing the deal, in each viewer's language.
deals-event-replying = { $name } is replying
deals-event-stopped-replying = { $name } stopped replying
deals-event-moved = { $name } moved it to { $stage }
deals-event-gave = { $name } gave it to { $owner }
deals-event-edited-contact = { $name } edited the contact
deals-event-logged = { $name } logged: { $outcome ->
        [called_no_answer] { deals-label-called-no-answer }
        [called_spoke] { deals-label-called-spoke }
        [whatsapp_sent] { deals-label-whatsapp-sent }
        [email_sent] { deals-label-email-sent }
        [viewing_booked] { deals-label-viewing-booked }
        [payment_received] { deals-label-payment-received }
        [complaint] { deals-label-complaint }
        [question] { deals-label-question }
       *[note] { deals-label-note }
    }

# A field of a deal, in its history and when an edit meets a colleague's.
deals-field-stage = stage
deals-field-owner = owner
deals-field-lost-reason = lost reason
deals-field-won-value = won value
deals-field-contact-name = contact name
deals-field-contact-phone = contact phone
deals-field-contact-email = contact e-mail
deals-field-contact-whatsapp = contact WhatsApp
deals-conflict-someone = Someone
deals-conflict-nothing = nothing
deals-conflict-change = { $who } changed { $field } from { $old } to { $new } ({ $when })
deals-conflict-someone-else = Someone else changed this deal
deals-conflict-not-saved = { $what }. Your change was not saved: check it still makes sense, then apply it again.
deals-shorten-the-reason = Shorten "{ $reason }" to at most 80 characters.
# The names a new agency's stages and lost reasons start with (Doorstep renames those nobody
# changed when the agency's language changes).
deals-default-stage-new = New
deals-default-stage-contacted = Contacted
deals-default-stage-viewing = Viewing
deals-default-stage-offer = Offer
deals-default-stage-won = Won
deals-default-stage-lost = Lost
deals-default-reason-elsewhere = Bought or rented elsewhere
deals-default-reason-budget = Budget does not fit
deals-default-reason-not-looking = No longer looking
deals-default-reason-unreachable = Could not reach them
deals-default-reason-other-agency = Chose another agency
deals-all-matches = All matches
deals-no-match = No deal matches “{ $search }”.
deals-search-capped = More than { $limit } deals match. These are the deals of the newest clients; type more of the name, a phone number or an e-mail to narrow it down.
