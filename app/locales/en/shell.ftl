## The frame of every page: navigation, refusals, the home page.

nav-main = Main
nav-today = Today
nav-pipeline = Pipeline
nav-listings = Listings
nav-reports = Reports
nav-data = Data
nav-forms = Forms
nav-stages = Stages
nav-plans = Plans
nav-templates = Templates
nav-users = Users
nav-api = API
nav-agency = Agency
nav-log-out = Log out

role-agent = Agent
role-manager = Manager
role-admin = Admin

loading = Loading…
shell-forbidden-title = Not available to your role
shell-forbidden-body = This page is for the { $role } role. Ask an admin if you need it.
shell-back-home = Back to Home
shell-not-found-title = Page not found
shell-not-found-body = The link may be old, or the page may have moved.
shell-go-home = Go to Home

home-hello = Hello, { $name }
home-logged-in-as = Logged in as { $email } · { $role } · times shown in { $zone }
home-team = Team
home-away = Away
home-call = Call

## What goes wrong, said to whoever asked.

error-log-in = Please log in to continue.
error-forbidden = Your role does not give access to this.
error-not-found = That was not found. It may have been removed.
error-validation = Please correct the highlighted fields.
error-internal = Something went wrong on our side. Please try again; it has been logged.
error-transport = Could not reach Doorstep: { $reason }
error-disk-full = The server's disk is full, so nothing was saved. Please try again in a few minutes.
error-database-away = The database is not answering, so nothing was saved. Please try again in a minute.
error-unavailable-title = Unavailable
error-unavailable-heading = Doorstep is unavailable for a moment
error-unavailable-retrying = This page tries again by itself.

# The page the installed app shows without signal.
offline-title = No connection
offline-lead = This phone has no signal or Wi-Fi right now, so Doorstep cannot show your deals.
offline-hint = Everything already saved is safe on the server. Try again once you are back online.
offline-retry = Try again

## Uploads: what a form says when its file did not arrive.
upload-stopped = The upload stopped before the whole file arrived.
upload-choose-chat-export = Choose the chat export first.
upload-chat-export-limit = A chat export may be up to { $mb } MB.
upload-choose-logo = Choose a file first.
upload-logo-limit = A logo may be up to { $mb } MB.
upload-choose-csv = Choose the CSV file first.
upload-csv-limit = A file may be up to { $mb } MB.
upload-choose-photos = No file was chosen: pick photos first.
upload-photos-stopped = The upload stopped: one upload takes up to { $mb } MB, so send fewer photos at once.
