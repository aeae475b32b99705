imports-import-contacts-and-deals = Import contacts and deals
imports-csv-file = CSV file
imports-read-the-file = Read the file
imports-export = Export
imports-everything-as-csv-times-in = Everything, as CSV: times in UTC, budgets in whole units (as the import reads them).
imports-contacts = Contacts
imports-deals = Deals
imports-timelines = Timelines
imports-reading-the-file = Reading the file…
imports-upload-a-file = Upload a file
imports-which-column-is-what = Which column is what?
imports-leave-out = Leave out
imports-if-some-rows-have-problems = If some rows have problems
imports-import-the-valid-rows-skip = Import the valid rows, skip the others
imports-import-nothing-unless-every-row = Import nothing unless every row is valid
imports-check-adds-nothing = Check (adds nothing)
imports-import = Import
imports-rows = Rows
imports-valid = Valid
imports-with-problems = With problems
imports-matched-by-phone-or-e = Matched by phone or e-mail
imports-deals-already-there = Deals already there
imports-open-the-pipeline = Open the pipeline
imports-rows-with-problems = Rows with problems
imports-import-and-export = Import and export
imports-upload-explained = Upload a CSV from a spreadsheet or another CRM: any of Excel's CSV formats, or its Unicode text. One row per contact; a row with a need, stage or budget also becomes a deal. You map the columns and see every row checked before anything is added.
imports-summary = { $file } · { $rows ->
    [one] { $rows } row
   *[other] { $rows } rows
} · { $delimiter } separated · read as { $encoding }
imports-imported = Imported
imports-checked = Checked: nothing was added yet
imports-row = Row { $row }
imports-matches = { $count ->
    [one] { $count } row joins a contact already known
   *[other] { $count } rows join contacts already known
}
imports-row-what = Row { $row }: { $what }
imports-label-name = Name
imports-label-first-name = First name
imports-label-last-name = Last name
imports-label-phone = Phone
imports-label-email = E-mail
imports-label-whatsapp = WhatsApp
imports-label-language = Language
imports-label-notes = Notes
imports-label-need = Need
imports-label-stage = Stage
imports-label-owner = Owner
imports-label-budget-min = Budget from
imports-label-budget-max = Budget up to
imports-label-currency = Currency
imports-label-areas = Areas
imports-label-bedrooms = Bedrooms
imports-label-property-ref = Property reference
imports-label-source = Source
imports-label-created = Arrived on
imports-new-contacts = New contacts
imports-new-contacts-to-add = New contacts to add
imports-new-deals = New deals
imports-new-deals-to-add = New deals to add
