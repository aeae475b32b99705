## How English writes dates, amounts and waits (digits and grouping come from CLDR).

# chrono's locale for day and month names, and the pattern of a date with its time.
date-locale = en_GB
date-time = %a %-d %b, %H:%M
money-symbol = { $symbol }{ $amount }
money-code = { $code } { $amount }
money-millions = { $amount }M
money-thousands = { $amount }k
waited-now = just now
waited-minutes = { $minutes } min
waited-hours = { $hours } h
waited-hours-minutes = { $hours } h { $minutes } min
waited-days = { $days ->
    [one] { $days } day
   *[other] { $days } days
}
waited-ago = { $time } ago
money-up-to = up to { $amount }
date-day-month = %-d %b
date-day-month-year = %-d %b %Y
date-long = %-d %B %Y
duration-days = { $days } d
duration-days-hours = { $days } d { $hours } h
duration-days-or-more = { $days } d or more
percent = { $amount }%
