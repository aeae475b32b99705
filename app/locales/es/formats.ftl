## Cómo se escriben en español las fechas, los importes y las esperas (cifras y separadores, de CLDR).

# El locale de chrono para los nombres de días y meses, y el patrón de una fecha con su hora.
date-locale = es_ES
date-time = %a %-d %b, %H:%M
# El símbolo detrás, separado por un espacio que no se parte: "250.000 €".
money-symbol = { $amount }{ "\u00A0" }{ $symbol }
money-code = { $amount }{ "\u00A0" }{ $code }
money-millions = { $amount }{ "\u00A0" }M
money-thousands = { $amount }{ "\u00A0" }mil
waited-now = ahora mismo
waited-minutes = { $minutes } min
waited-hours = { $hours } h
waited-hours-minutes = { $hours } h { $minutes } min
waited-days = { $days ->
    [one] { $days } día
   *[other] { $days } días
}
waited-ago = hace { $time }
money-up-to = hasta { $amount }
date-day-month = %-d %b
date-day-month-year = %-d %b %Y
date-long = %-d de %B de %Y
duration-days = { $days } d
duration-days-hours = { $days } d { $hours } h
duration-days-or-more = { $days } d o más
percent = { $amount } %
