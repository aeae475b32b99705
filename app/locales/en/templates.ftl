templates-placeholders = Placeholders
templates-loading = Loading…
templates-no-templates-yet-write-the = No templates yet: write the first below.
templates-new-template = New template
templates-name = Name
templates-message = Message
templates-add-template = Add template
templates-save = Save
templates-delete = Delete
templates-write-on-whatsapp = Write on WhatsApp
templates-reply-from-the-agency-s = Reply from the agency's number
templates-send-reply = Send reply
templates-send-a-template = Send a template
templates-send-on-whatsapp = Send on WhatsApp
templates-first-answer = First answer
templates-hi-first-name-this-is = Hi { "{" }first_name{ "}" }, this is { "{" }agent{ "}" } from { "{" }agency{ "}" }. Thank you for asking about { "{" }property{ "}" }: when could we call you?
templates-message-templates = Message templates
templates-delete-named = Delete the template { $name }
templates-explained = Messages the team sends again and again, written once. On a deal, an agent picks one: WhatsApp opens with the client's number and the text filled in, and the deal's timeline records it.
templates-send-named = Send { $name } on WhatsApp
templates-placeholder-first-name = the client's first name
templates-placeholder-name = the client's full name
templates-placeholder-agent = your name
templates-placeholder-agency = the agency's name
templates-placeholder-property = the listing the deal is about
templates-placeholder-link = the deal's newest presentation link

templates-template-was-removed = This template was removed; choose another.
templates-client-has-no-phone = The client has no phone number: add one under Edit contact details.
templates-write-the-message = Write the message.
templates-deal-names-no-listing = The deal names no listing yet: add its property reference, or make a presentation.
templates-deal-has-no-live-link = The deal has no live presentation link: make a presentation first.
templates-keep-the-name-under = Keep the name under { $max } characters.

# What a colleague did, in the live banner of everyone viewing the deal, in each viewer's language.
templates-event-sent = { $name } sent "{ $template }" on WhatsApp
templates-give-the-template-a-name = Give the template a name the team will recognise, such as "First answer".
templates-name-taken = There is already a template called "{ $name }".
