notifications-loading = Loading…
notifications-nothing-yet-new-leads-and = Nothing yet. New leads and follow-ups show up here.
notifications-notifications = Notifications
notifications-mail-open = Open it in Doorstep: { $url }
