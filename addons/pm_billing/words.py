# This file is part of the pm suite (物业管理系统). See README.md.
"""Amounts in Chinese capitals (人民币大写) and payment QR codes."""
import io
from decimal import Decimal


def amount_in_words(amount):
    "Return the amount in Chinese capitals: 1234.56 → 壹仟贰佰叁拾肆元伍角陆分"
    import cn2an
    amount = Decimal(amount).quantize(Decimal('0.01'))
    if amount == 0:
        return '零元整'
    prefix = ''
    if amount < 0:
        prefix, amount = '负', -amount
    return prefix + cn2an.an2cn(str(amount), 'rmb')


def qr_code_png(text, box_size=4):
    "Return a PNG image (bytes) of a QR code carrying the text"
    import qrcode
    from qrcode.image.pure import PyPNGImage
    image = qrcode.make(
        text or '', box_size=box_size, border=2, image_factory=PyPNGImage)
    output = io.BytesIO()
    image.save(output)
    return output.getvalue()
