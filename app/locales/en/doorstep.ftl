# Doorstep in English: every message the product shows, by key.
# A new language is a copy of this file in app/locales/<code>/doorstep.ftl with each
# message translated (README: "Adding a language"). Keep the keys; translate the text.

# The language's own name, as people choose it.
language-name = English

## The public capture form: what a prospect reads and types into, on a phone, maybe
## without JavaScript.

capture-your-name = Your name
capture-mobile = Mobile
capture-email = E-mail
capture-need = I would like to
capture-budget-from = Budget from ({ $currency })
capture-budget-to = to ({ $currency })
capture-move-in = Move-in date
capture-property-ref = Property reference
capture-message = Message (optional)
capture-leave-empty = Leave this empty
capture-send = Send
capture-sending = Sending…
capture-check-fields = Please check the fields marked below.
capture-unreadable = We could not read what was sent ({ $reason }). Please type it again.
capture-closed-title = This form is closed
capture-closed-body = It no longer takes requests. Please contact the agency directly.
capture-not-found-title = Form not found
capture-not-found-body = Check the link you followed.
capture-unavailable-title = Please try again in a moment
capture-unavailable-body = We could not load the form.
capture-too-many-title = We already have your request
capture-too-many-body = Too many requests came from your connection. Please wait a few minutes and try again.
capture-unsupported-title = Unsupported form encoding
capture-unsupported-body = Send the form as application/x-www-form-urlencoded.

need-buy = Buy a home
need-rent = Rent a home
need-sell = Sell my home
need-let = Let my home
need-unknown = Choose buy, rent, sell or let.

## What a prospect is told to fix.

capture-error-name = Tell us your name.
capture-error-reach = Give a phone number or an e-mail so we can reach you.
capture-error-budget-order = The maximum is below the minimum.
capture-error-message-length = Keep the message under { $max } characters.
capture-error-reference-length = Keep the property reference under { $max } characters.
date-error = Enter a date like 2027-03-01.

phone-error-too-long = That is too long for a phone number.
phone-error-characters = A phone number can only hold digits, spaces and + ( ) -, then an extension (x 123).
phone-error-country-code = Enter the number with its country code, like +34 612 345 678.
phone-error-incomplete = That number looks incomplete; check it, or add the country code (+44, +34…).
phone-error-whatsapp-extension = A WhatsApp number has no extension; give the mobile number alone.
phone-error-extension = An extension is up to 7 digits after the number, like +44 20 3456 7890 x456.

email-error-empty = Enter an e-mail address.
email-error-spaces = Enter an e-mail address without spaces, like ana@agency.com.
email-error-at = An e-mail address needs an @, like ana@agency.com.
email-error-incomplete = Enter a complete e-mail address, like ana@agency.com.

money-error = Enter an amount like 250000, 250k or 1.5m.
money-error-too-large = That amount is too large.

## What a lead leaves on the team's records: the first line of the deal's timeline and the
## notice the agent gets, written in the agency's language.

capture-inquiry = Inquiry via "{ $form }": { $need }.
capture-inquiry-buy = wants to buy
capture-inquiry-rent = wants to rent
capture-inquiry-sell = wants to sell
capture-inquiry-let = wants to let
capture-inquiry-property = Property: { $reference }
capture-inquiry-move-in = Move-in: { $date }
capture-notice-new = New lead: { $name }
capture-notice-new-unassigned = New lead: { $name } (unassigned)
capture-notice-returning = Returning lead: { $name }
capture-notice-returning-unassigned = Returning lead: { $name } (unassigned)
capture-notice-via = via { $form }

## Who a form's leads go to.

assignment-round-robin = In turn among available agents
assignment-listing-agent = The property's listing agent
assignment-fixed = One named agent
