whatsapp-reading-the-chat = Reading the chat…
whatsapp-back-to-the-deal = Back to the deal
whatsapp-how-to-read-it = How to read it
whatsapp-who-is-the-agency-in = Who is the agency in this chat?
whatsapp-the-phone-s-time-zone = The phone's time zone
whatsapp-read-it-again = Read it again
whatsapp-these-look-like-more-than = These look like more than a message. Tick to log them as such:
whatsapp-cancel = Cancel
whatsapp-import-a-whatsapp-chat = Import a WhatsApp chat
whatsapp-messages-with = { $count ->
    [one] { $count } message with { $name }
   *[other] { $count } messages with { $name }
}
whatsapp-all-there = All of them are on the timeline already.
whatsapp-new-for = { $count } new for the timeline of { $name }
whatsapp-attachments = { $count } attachments kept with their messages
whatsapp-omitted-media = { $count } media left out by the phone ("without media")
whatsapp-nothing-to-add = Nothing to add
whatsapp-add-messages = Add { $count } messages to the timeline
whatsapp-order-dmy = Day first (31/12/2024)
whatsapp-order-mdy = Month first (12/31/2024)
whatsapp-order-ymd = Year first (2024-12-31)
whatsapp-label-viewing = Viewing or booking
whatsapp-label-payment = Payment
whatsapp-label-complaint = Complaint
whatsapp-notice-title = WhatsApp from { $client }

whatsapp-replies-not-set-up = Replies through WhatsApp Business are not set up here: use the WhatsApp button, which opens WhatsApp on your phone.
whatsapp-write-the-message-first = Write the message first.
whatsapp-could-not-record-it = The message went to the client, but Doorstep could not record it: add it to the timeline as a note.
whatsapp-outside-24-hours = The client last wrote more than 24 hours ago, and WhatsApp lets a business write first only with a template Meta approved. Use "Send a template", which opens WhatsApp on your phone.
whatsapp-access-token-refused = WhatsApp refused the agency's access token: ask an admin to renew DOORSTEP_WHATSAPP_TOKEN.
whatsapp-number-cannot-receive = This number cannot receive WhatsApp messages. Call the client instead.
whatsapp-upload-is-gone = This upload is gone. Upload the chat again.
whatsapp-upload-is-gone-or-old = This upload is gone (imported, or older than a day). Upload the chat again.
whatsapp-choose-date-order = Choose day first, month first or year first.
whatsapp-choose-a-time-zone = Choose a time zone from the list.
whatsapp-choose-a-participant = Choose one of the chat's participants.
whatsapp-chat-not-utf8 = The chat is not UTF-8 text. Upload the file exactly as WhatsApp exported it (WhatsApp writes UTF-8).
whatsapp-file-is-empty = The file is empty. Choose the .txt or .zip WhatsApp made.
whatsapp-not-a-chat-export = This is not a chat export. Upload the .txt or .zip WhatsApp made with Export chat.
whatsapp-zip-has-no-chat = The zip has no chat in it (a .txt file). Upload the zip WhatsApp made with Export chat.
whatsapp-zip-could-not-be-read = The zip could not be read: { $error }.
whatsapp-file-too-large = The file is larger than { $mb } MB. Export the chat without media, or in parts.
whatsapp-zip-could-not-be-read-again = The zip could not be read: { $error }. Upload it again as WhatsApp made it.
whatsapp-zip-too-many-files = The zip holds more than { $max } files; this is not a chat export.
whatsapp-refused-the-message-because = WhatsApp refused the message: { $reason }
whatsapp-refused-the-message = WhatsApp refused the message (HTTP { $status }).
whatsapp-file-could-not-be-unpacked = { $name } in the zip could not be unpacked: { $error }.
whatsapp-file-unpacks-too-large = { $name } in the zip unpacks to more than { $mb } MB; this is not a chat export.
whatsapp-no-messages-in-file = This file has no WhatsApp messages in it. Export the chat from WhatsApp (Export chat) and upload the .txt or .zip it makes.
whatsapp-date-does-not-exist = Line { $line } has a date that does not exist ({ $text }). Check the date order you chose.

# What a colleague did, in the live banner of everyone viewing the deal, in each viewer's language.
whatsapp-event-replied = { $name } replied on WhatsApp
whatsapp-event-wrote = { $name } wrote on WhatsApp
whatsapp-event-imported = { $count ->
        [one] { $name } imported { $count } WhatsApp message
       *[other] { $name } imported { $count } WhatsApp messages
    }
# What the deal's timeline keeps of a WhatsApp message that is not text.
whatsapp-body-photo = Photo
whatsapp-body-video = Video
whatsapp-body-document = Document
whatsapp-body-voice-message = Voice message
whatsapp-body-sticker = Sticker
whatsapp-body-with-detail = { $kind }: { $detail }
whatsapp-body-location = Location: { $place }
whatsapp-body-interactive-reply = Interactive reply
whatsapp-body-other-kind = A { $kind } message (open WhatsApp to see it)
whatsapp-body-new-kind = A new kind of message (open WhatsApp to see it)
