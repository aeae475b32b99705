## The viewer's own settings, and the agency's defaults.

account-language = Language
account-language-label = Show Doorstep in
account-language-agency = The agency's language ({ $language })
account-language-save = Save language
agency-language = Language
agency-language-hint = What everyone who has not chosen their own language reads Doorstep in.
