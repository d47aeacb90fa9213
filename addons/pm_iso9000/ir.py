# This file is part of the pm suite (物业管理系统). See README.md.
import os

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta

from .exceptions import AttachmentError, DocumentModifyError

_EMPLOYEES_RULE_MODELS = {'pm.iso.acknowledgement', 'pm.iso.document'}

# The original files of a controlled document
ATTACHMENT_EXTENSIONS = {
    '.docx', '.doc', '.odt', '.pdf', '.xlsx', '.xls', '.ods'}


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('pm.iso.document|check_review',
                    "Check Document Reviews"),
                ('pm.iso.capa|check_overdue',
                    "Check Overdue Corrective Actions"),
                ])


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def _get_context(cls, model_name):
        pool = Pool()
        User = pool.get('res.user')
        context = super()._get_context(model_name)
        if model_name in _EMPLOYEES_RULE_MODELS:
            context['employees'] = User.get_employees()
        return context

    @classmethod
    def _get_cache_key(cls, model_names):
        pool = Pool()
        User = pool.get('res.user')
        key = super()._get_cache_key(model_names)
        if model_names & _EMPLOYEES_RULE_MODELS:
            key = (*key, User.get_employees())
        return key


class Attachment(metaclass=PoolMeta):
    __name__ = 'ir.attachment'

    @classmethod
    def _iso_documents(cls, attachments):
        pool = Pool()
        Document = pool.get('pm.iso.document')
        return [a for a in attachments
            if isinstance(a.resource, Document)]

    @classmethod
    def validate_fields(cls, attachments, field_names):
        super().validate_fields(attachments, field_names)
        if field_names and not (field_names & {'name', 'type', 'resource'}):
            return
        for attachment in cls._iso_documents(attachments):
            if attachment.type != 'data':
                continue
            extension = os.path.splitext(attachment.name or '')[1].lower()
            if extension not in ATTACHMENT_EXTENSIONS:
                raise AttachmentError(gettext(
                        'pm_iso9000.msg_attachment_extension',
                        name=attachment.name,
                        document=attachment.resource.rec_name,
                        extensions=', '.join(
                            sorted(ATTACHMENT_EXTENSIONS))))

    @classmethod
    def check_modification(
            cls, mode, attachments, values=None, external=False):
        "The files of a document are frozen once it leaves the draft state"
        super().check_modification(
            mode, attachments, values=values, external=external)
        if not external:
            return
        for attachment in cls._iso_documents(attachments):
            if attachment.resource.state != 'draft':
                raise DocumentModifyError(gettext(
                        'pm_iso9000.msg_document_attachment_frozen',
                        document=attachment.resource.rec_name,
                        state=attachment.resource.state_string))
