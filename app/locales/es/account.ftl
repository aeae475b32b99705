## Los ajustes de cada persona y los de la agencia.

account-language = Idioma
account-language-label = Ver Doorstep en
account-language-agency = El idioma de la agencia ({ $language })
account-language-save = Guardar idioma
agency-language = Idioma
agency-language-hint = El idioma de Doorstep para quien no haya elegido el suyo.
