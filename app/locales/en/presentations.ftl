presentations-letter = Letter
presentations-link-until-withdrawn = Link until withdrawn
presentations-link-for-7-days = Link for 7 days
presentations-link-for-30-days = Link for 30 days
presentations-send-on-whatsapp = Send on WhatsApp
presentations-open = Open
presentations-pdf = PDF
presentations-withdraw-link = Withdraw link
presentations-presentations = Presentations
presentations-photos = Photos
presentations-not-added = Not added:
presentations-no-photos-yet-the-first = No photos yet. The first one becomes the cover.
presentations-cover = Cover
presentations-add-photos-jpeg-png-or = Add photos (JPEG, PNG or WebP)
presentations-upload = Upload
presentations-present-it = Present it
presentations-a-pdf-and-a-link = A PDF and a link to send anyone. To track a client's opens, present it from their deal.
presentations-make-a-presentation = Make a presentation
presentations-paper = Paper
presentations-the-link-lasts = The link lasts
presentations-share-link = Share link
presentations-earlier = Earlier
presentations-later = Later
presentations-remove = Remove
presentations-tick-listings = Tick listings to present
presentations-make-of = Make a presentation of { $count }
presentations-withdrawn = Withdrawn
presentations-expired = Expired
presentations-not-opened = Not opened yet
presentations-opened-last = { $count ->
    [one] Opened once, { $at }
   *[other] Opened { $count } times, last { $at }
}
presentations-opened = { $count ->
    [one] Opened once
   *[other] Opened { $count } times
}
presentations-until = { " · " }until { $at }
presentations-email-to = E-mail the PDF to { $to }
presentations-put-in = Put in the presentation

## The presentation a client reads (PDF and share page), in the client's language.

presentations-pdf-per-month = { $price } a month
presentations-pdf-kind-sale = { $kind } for sale
presentations-pdf-kind-rent = { $kind } to rent
presentations-pdf-bedrooms = Bedrooms
presentations-pdf-bathrooms = Bathrooms
presentations-pdf-built = Built area
presentations-pdf-plot = Plot
presentations-pdf-year = Year built
presentations-pdf-energy = Energy rating
presentations-pdf-status = Status
presentations-pdf-price = Price
presentations-pdf-price-m2 = Price per m²
presentations-pdf-area = Area
presentations-pdf-prepared-for = Prepared for { $client } by { $agent }, { $date }
presentations-pdf-prepared = Prepared by { $agent }, { $date }
presentations-pdf-side-by-side = Side by side
presentations-pdf-features = Features
presentations-pdf-your-agent = Your agent
presentations-pdf-phone = Phone
presentations-pdf-email = E-mail
presentations-pdf-scan = Scan to open on your phone

## The share page a client opens.

share-selected-for = { $count } homes selected for { $client }
share-selected = { $count } homes selected for you
share-prepared-for = Prepared for { $client } by { $agent }
share-listing-line = { $kind } · { $place } · Ref. { $reference }
share-whatsapp-one = Hi { $agent }, about { $title } ({ $reference }):{ " " }
share-whatsapp-many = Hi { $agent }, about the homes you sent me:{ " " }
share-the-agent = the agent
share-whatsapp-button = WhatsApp { $agent }
share-download = Download the PDF

# When the client opens the presentation: the deal's timeline, the agents' notice, their follow-up.
presentations-the-client = The client
presentations-listings-count = { $count ->
    [one] 1 listing
   *[other] { $count } listings
}
presentations-opened-entry = { $client } opened the presentation ({ $what })
presentations-opened-notice = { $client } opened the presentation: call now
presentations-opened-event = { $client } opened the presentation
presentations-call-back = Call { $client }: they opened the presentation

# The e-mail that carries a presentation to the client, in the client's language.
presentations-mail-hello = Hello { $name },
presentations-mail-intro = { $count ->
    [one] here is the home we talked about:
   *[other] here are the homes I picked for you:
}
presentations-mail-attached = The presentation is attached as a PDF, and here on your phone:
presentations-mail-subject = { $agency }: { $count } homes for you
presentations-mail-not-set-up = E-mail is not set up on this Doorstep: an admin starts it with --smtp-url. Send the link on WhatsApp meanwhile.
presentations-link-withdrawn = This link was withdrawn: make a new presentation.
presentations-link-expired = This link has expired: make a new presentation.
presentations-no-email = { $client } has no e-mail address: add one under Contact details first.
presentations-mailed-entry = E-mailed the presentation to { $to }
presentations-whatsapp-entry = Sent the presentation on WhatsApp: { $titles }

presentations-pick-at-least-one-listing = Pick at least one listing.
presentations-listing-no-longer-exists = One of these listings does not exist any more.
presentations-choose-a4-or-letter = Choose a4 or letter.
presentations-say-which-agent-presents-it = Say which agent presents it: agent_id.
presentations-no-active-user-has-this-id = No active user has this id.
presentations-not-for-a-client-send-link = This presentation is not for a deal's client: send its link instead.
presentations-not-for-a-client = This presentation is not for a deal's client.
presentations-holds-up-to-listings = A presentation holds up to { $max } listings.
presentations-give-expiry-days = Give 1 to { $max } days, or leave it out for a link that lasts until revoked.

# What a colleague did, in the live banner of everyone viewing the deal, in each viewer's language.
presentations-event-made = { $name } made a presentation
presentations-event-emailed = { $name } e-mailed a presentation
presentations-event-sent-on-whatsapp = { $name } sent a presentation on WhatsApp
presentations-event-revoked = { $name } revoked a presentation link
presentations-opened-event-no-name = The client opened the presentation
presentations-sent-to = Sent to { $to }.
presentations-timeline-made = Presentation made: { $titles }
presentations-link-unknown-title = Link not found
presentations-link-unknown-text = This link is not known. Check that it was copied whole, or ask your agent for it again.
presentations-link-withdrawn-title = Link withdrawn
presentations-link-withdrawn-text = Your agent has withdrawn this presentation. Ask them for a new link.
presentations-link-expired-title = Link expired
presentations-link-expired-text = This presentation's link has expired. Ask your agent for a new one.
