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
