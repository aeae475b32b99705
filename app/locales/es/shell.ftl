## El marco de cada página: navegación, accesos denegados, la página de inicio.

nav-main = Principal
nav-today = Hoy
nav-pipeline = Embudo
nav-listings = Inmuebles
nav-reports = Informes
nav-data = Datos
nav-forms = Formularios
nav-stages = Etapas
nav-plans = Planes
nav-templates = Plantillas
nav-users = Usuarios
nav-api = API
nav-agency = Agencia
nav-log-out = Cerrar sesión

role-agent = Agente
role-manager = Responsable
role-admin = Administrador

loading = Cargando…
shell-forbidden-title = No disponible para tu rol
shell-forbidden-body = Esta página es para el rol { $role }. Pide acceso a un administrador si lo necesitas.
shell-back-home = Volver al inicio
shell-not-found-title = Página no encontrada
shell-not-found-body = Puede que el enlace sea antiguo o que la página se haya movido.
shell-go-home = Ir al inicio

home-hello = Hola, { $name }
home-logged-in-as = Sesión iniciada como { $email } · { $role } · horas en { $zone }
home-team = Equipo
home-away = Ausente
home-call = Llamar

## Lo que sale mal, dicho a quien lo pidió.

error-log-in = Inicia sesión para continuar.
error-forbidden = Tu rol no da acceso a esto.
error-not-found = No se ha encontrado. Puede que se haya borrado.
error-validation = Corrige los campos marcados.
error-internal = Algo ha fallado por nuestra parte. Inténtalo de nuevo; ha quedado registrado.
error-transport = No se ha podido conectar con Doorstep: { $reason }
error-disk-full = El disco del servidor está lleno, así que no se ha guardado nada. Vuelve a intentarlo en unos minutos.
error-database-away = La base de datos no responde, así que no se ha guardado nada. Vuelve a intentarlo en un minuto.
error-unavailable-title = No disponible
error-unavailable-heading = Doorstep no está disponible por un momento
error-unavailable-retrying = Esta página vuelve a intentarlo sola.

# The page the installed app shows without signal.
offline-title = Sin conexión
offline-lead = Este móvil no tiene cobertura ni wifi ahora mismo, así que Doorstep no puede mostrar tus operaciones.
offline-hint = Todo lo que ya guardaste está a salvo en el servidor. Vuelve a intentarlo cuando tengas conexión.
offline-retry = Reintentar

## Uploads: what a form says when its file did not arrive.
upload-stopped = La subida se cortó antes de que llegara el archivo entero.
upload-choose-chat-export = Elige primero la exportación del chat.
upload-chat-export-limit = Una exportación de chat puede ocupar hasta { $mb } MB.
upload-choose-logo = Elige primero un archivo.
upload-logo-limit = Un logotipo puede ocupar hasta { $mb } MB.
upload-choose-csv = Elige primero el archivo CSV.
upload-csv-limit = Un archivo puede ocupar hasta { $mb } MB.
upload-choose-photos = No se eligió ningún archivo: elige primero las fotos.
upload-photos-stopped = La subida se cortó: cada subida admite hasta { $mb } MB, así que envía menos fotos a la vez.
