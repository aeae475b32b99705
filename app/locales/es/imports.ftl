imports-import-contacts-and-deals = Importar contactos y operaciones
imports-csv-file = Archivo CSV
imports-read-the-file = Leer el archivo
imports-export = Exportar
imports-everything-as-csv-times-in = Todo, en CSV: horas en UTC, presupuestos en unidades enteras (como los lee la importación).
imports-contacts = Contactos
imports-deals = Operaciones
imports-timelines = Cronologías
imports-reading-the-file = Leyendo el archivo…
imports-upload-a-file = Sube un archivo
imports-which-column-is-what = ¿Qué es cada columna?
imports-leave-out = Omitir
imports-if-some-rows-have-problems = Si algunas filas tienen problemas
imports-import-the-valid-rows-skip = Importar las filas válidas y saltar las demás
imports-import-nothing-unless-every-row = No importar nada salvo que todas las filas sean válidas
imports-check-adds-nothing = Comprobar (no añade nada)
imports-import = Importar
imports-rows = Filas
imports-valid = Válidas
imports-with-problems = Con problemas
imports-matched-by-phone-or-e = Encontrados por teléfono o correo
imports-deals-already-there = Operaciones que ya existían
imports-open-the-pipeline = Abrir el embudo
imports-rows-with-problems = Filas con problemas
imports-import-and-export = Importar y exportar
imports-upload-explained = Sube un CSV de una hoja de cálculo o de otro CRM: cualquiera de los formatos CSV de Excel, o su texto Unicode. Una fila por contacto; una fila con necesidad, etapa o presupuesto también se convierte en operación. Tú eliges qué es cada columna y ves cada fila comprobada antes de que se añada nada.
imports-summary = { $file } · { $rows ->
    [one] { $rows } fila
   *[other] { $rows } filas
} · separado por { $delimiter } · leído como { $encoding }
imports-imported = Importado
imports-checked = Comprobado: aún no se ha añadido nada
imports-row = Fila { $row }
imports-matches = { $count ->
    [one] { $count } fila se une a un contacto ya conocido
   *[other] { $count } filas se unen a contactos ya conocidos
}
imports-row-what = Fila { $row }: { $what }
imports-label-name = Nombre
imports-label-first-name = Nombre de pila
imports-label-last-name = Apellidos
imports-label-phone = Teléfono
imports-label-email = Correo
imports-label-whatsapp = WhatsApp
imports-label-language = Idioma
imports-label-notes = Notas
imports-label-need = Necesidad
imports-label-stage = Etapa
imports-label-owner = Responsable
imports-label-budget-min = Presupuesto desde
imports-label-budget-max = Presupuesto hasta
imports-label-currency = Moneda
imports-label-areas = Zonas
imports-label-bedrooms = Dormitorios
imports-label-property-ref = Referencia del inmueble
imports-label-source = Origen
imports-label-created = Llegó el
imports-new-contacts = Contactos nuevos
imports-new-contacts-to-add = Contactos nuevos por añadir
imports-new-deals = Operaciones nuevas
imports-new-deals-to-add = Operaciones nuevas por añadir

imports-choose-check-or-import = Elige Comprobar o Importar.
imports-choose-valid-rows-or-nothing = Elige si quieres importar las filas válidas o nada a menos que todas sean válidas.
imports-upload-is-gone = Este archivo ya no está (se importó o tiene más de un día). Vuelve a subirlo.
imports-unknown-field-reload = Una columna está asignada a un campo que Doorstep no conoce; vuelve a cargar la página.
imports-pipeline-has-no-open-stage = El embudo no tiene ninguna etapa abierta: añade una primero en Etapas.
imports-file-holds-binary-data = El archivo contiene datos binarios, no texto: sube un CSV.
imports-file-is-empty = El archivo está vacío.
imports-first-row-is-empty = La primera fila está vacía: debería nombrar las columnas (Nombre, Teléfono, Correo…).
imports-header-but-no-rows = El archivo tiene cabecera pero ninguna fila.
imports-map-a-column-to-name = Asigna una columna a Nombre (o Nombre de pila) para que cada contacto tenga uno.
imports-map-a-column-to-phone-or-email = Asigna una columna a Teléfono o Correo para que Doorstep pueda contactar con ellos y encontrar duplicados.
imports-nothing-was-imported = { $failed ->
    [one] No se ha importado nada: { $failed } de { $rows } filas tiene problemas. Corrígela, o elige importar solo las filas válidas.
   *[other] No se ha importado nada: { $failed } de { $rows } filas tienen problemas. Corrígelas, o elige importar solo las filas válidas.
}
imports-file-is-over-mb = El archivo pasa de { $mb } MB: divídelo en archivos más pequeños.
imports-file-has-too-many-columns = El archivo tiene { $cells } columnas; Doorstep lee como máximo { $max }.
imports-row-has-too-many-columns = La fila { $row } tiene { $cells } columnas; Doorstep lee como máximo { $max }. Revisa sus separadores.
imports-header-cannot-be-read = No se puede leer la fila de cabecera: { $error }.
imports-row-cannot-be-read = No se puede leer la fila { $row }: { $error }. Revisa sus comillas.
imports-file-has-too-many-rows = El archivo tiene más de { $max } filas: divídelo en archivos más pequeños.
imports-two-columns-one-field = Dos columnas («{ $first }» y «{ $second }») van al mismo campo, { $field }: elige una.
imports-bytes-not-in-encoding = El archivo dice ser { $encoding } pero contiene bytes que no lo son. Guárdalo de nuevo como «CSV UTF-8» y súbelo.
