# Doorstep en español: cada mensaje del producto, por clave (las claves, de app/locales/en).

language-name = Español

## El formulario público de captación.

capture-your-name = Tu nombre
capture-mobile = Móvil
capture-email = Correo electrónico
capture-need = Me gustaría
capture-budget-from = Presupuesto desde ({ $currency })
capture-budget-to = hasta ({ $currency })
capture-move-in = Fecha de entrada
capture-property-ref = Referencia del inmueble
capture-message = Mensaje (opcional)
capture-leave-empty = Deja esto vacío
capture-send = Enviar
capture-sending = Enviando…
capture-check-fields = Revisa los campos marcados abajo.
capture-unreadable = No hemos podido leer lo enviado ({ $reason }). Vuelve a escribirlo, por favor.
capture-closed-title = Este formulario está cerrado
capture-closed-body = Ya no admite solicitudes. Ponte en contacto directamente con la agencia.
capture-not-found-title = Formulario no encontrado
capture-not-found-body = Revisa el enlace que has seguido.
capture-unavailable-title = Inténtalo de nuevo en un momento
capture-unavailable-body = No hemos podido cargar el formulario.
capture-too-many-title = Ya tenemos tu solicitud
capture-too-many-body = Han llegado demasiadas solicitudes desde tu conexión. Espera unos minutos y vuelve a intentarlo.
capture-unsupported-title = Codificación de formulario no admitida
capture-unsupported-body = Envía el formulario como application/x-www-form-urlencoded.

need-buy = Comprar una vivienda
need-rent = Alquilar una vivienda
need-sell = Vender mi vivienda
need-let = Alquilar mi vivienda a otros
need-unknown = Elige comprar, alquilar, vender o poner en alquiler.

## Lo que se pide corregir.

capture-error-name = Dinos tu nombre.
capture-error-reach = Déjanos un teléfono o un correo para poder contactarte.
capture-error-budget-order = El máximo es menor que el mínimo.
capture-error-message-length = El mensaje debe tener menos de { $max } caracteres.
capture-error-reference-length = La referencia del inmueble debe tener menos de { $max } caracteres.
date-error = Escribe una fecha como 2027-03-01.

phone-error-too-long = Es demasiado largo para un número de teléfono.
phone-error-characters = Un número de teléfono solo puede tener cifras, espacios y + ( ) -, y después una extensión (x 123).
phone-error-country-code = Escribe el número con su prefijo de país, como +34 612 345 678.
phone-error-incomplete = El número parece incompleto; revísalo o añade el prefijo de país (+44, +34…).
phone-error-whatsapp-extension = Un número de WhatsApp no lleva extensión; escribe solo el móvil.
phone-error-extension = Una extensión tiene hasta 7 cifras después del número, como +44 20 3456 7890 x456.

email-error-empty = Escribe una dirección de correo.
email-error-spaces = Escribe la dirección de correo sin espacios, como ana@agencia.com.
email-error-at = A la dirección de correo le falta la @, como ana@agencia.com.
email-error-incomplete = Escribe la dirección de correo completa, como ana@agencia.com.

money-error = Escribe un importe como 250000, 250k o 1,5m.
money-error-too-large = Ese importe es demasiado grande.

## Lo que un contacto deja en los registros del equipo: la primera línea de la cronología de
## la operación y el aviso al agente, en el idioma de la agencia.

capture-inquiry = Consulta desde «{ $form }»: { $need }.
capture-inquiry-buy = quiere comprar
capture-inquiry-rent = quiere alquilar
capture-inquiry-sell = quiere vender
capture-inquiry-let = quiere poner en alquiler
capture-inquiry-property = Inmueble: { $reference }
capture-inquiry-move-in = Entrada: { $date }
capture-notice-new = Nuevo contacto: { $name }
capture-notice-new-unassigned = Nuevo contacto: { $name } (sin asignar)
capture-notice-returning = Contacto que vuelve: { $name }
capture-notice-returning-unassigned = Contacto que vuelve: { $name } (sin asignar)
capture-notice-via = vía { $form }

## A quién van los contactos de un formulario.

assignment-round-robin = Por turnos entre los agentes disponibles
assignment-listing-agent = El agente captador del inmueble
assignment-fixed = Un agente concreto
