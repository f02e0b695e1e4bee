"""How form fields render: Django's own Jinja2 templates of its forms and widgets, the same
HTML as its template-language ones, rendered several times faster (a select renders a template
per option; My week and the commitments page render some twenty fields each). A template
only the template language has (the admin's widgets) renders through it, as before."""

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(Jinja2):
    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return _TEMPLATE_LANGUAGE.get_template(template_name)


_TEMPLATE_LANGUAGE = DjangoTemplates()
