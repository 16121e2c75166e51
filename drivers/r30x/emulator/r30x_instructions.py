"""What an R30x module does with each instruction.

The instructions and confirmation codes are those of drivers/r30x/README.md.

Each handler takes the module and the parameter bytes after the instruction code and returns a
Reply. Replies whose datasheet format carries fields after the confirmation code keep that length
on failure (fields zeroed), as the modules' fixed acknowledge formats do.
"""

from fingers import identity_of_template, make_template, match_score

OK = 0x00
RECEIVE_ERROR = 0x01
NO_FINGER = 0x02
TOO_FEW_FEATURES = 0x07
NO_MATCH = 0x08
NOT_FOUND = 0x09
COMBINE_FAILED = 0x0A
PAGE_OUT_OF_RANGE = 0x0B
BAD_TEMPLATE = 0x0C
UPLOAD_FAILED = 0x0D
DELETE_FAILED = 0x10
WRONG_PASSWORD = 0x13
NO_VALID_IMAGE = 0x15
BAD_REGISTER = 0x1A
BAD_REGISTER_VALUE = 0x1B
BAD_NOTEPAD_PAGE = 0x1C
PASSWORD_NOT_VERIFIED = 0x21

NOTEPAD_PAGES = 16
NOTEPAD_PAGE_SIZE = 32
PACKET_SIZES = (32, 64, 128, 256)
SECURITY_LEVELS = range(1, 6)


class Reply:
    def __init__(self, confirmation, data=b'', after=None, upload=None):
        self.confirmation = confirmation
        self.data = data
        self.after = after      # runs once the reply is on the wire (new baud, soft reset)
        self.upload = upload    # bytes sent as data packets after the ack (UpChar)


def fail(confirmation, field_bytes=0):
    return Reply(confirmation, bytes(field_bytes))


class MalformedParameters(Exception):
    """Parameters of the wrong length or an impossible buffer id: answered with 0x01."""


def u16(params, offset):
    return int.from_bytes(params[offset:offset + 2], 'big')


def char_buffer_id(value):
    if value not in (1, 2):
        raise MalformedParameters()
    return value


def gen_img(module, _params):
    module.image = module.capture()
    return Reply(OK if module.image else NO_FINGER)


def get_image_ex(module, _params):
    module.image = module.capture()
    if module.image is None:
        return Reply(NO_FINGER)
    if module.image[1] == 'poor':
        module.image = None
        return Reply(TOO_FEW_FEATURES)
    return Reply(OK)


def img2tz(module, params):
    buffer_id = char_buffer_id(params[0])
    if module.image is None:
        return Reply(NO_VALID_IMAGE)
    finger, quality = module.image
    if quality == 'poor':
        return Reply(TOO_FEW_FEATURES)
    module.char_buffers[buffer_id] = make_template(finger, module.template_size)
    return Reply(OK)


def match(module, _params):
    first = module.identity_in_buffer(1)
    second = module.identity_in_buffer(2)
    if first is None or second is None:
        return fail(BAD_TEMPLATE, 2)
    score = match_score(first, second)
    module.passed = score > 0
    return Reply(OK if score else NO_MATCH, score.to_bytes(2, 'big'))


def search(module, params):
    identity = module.identity_in_buffer(char_buffer_id(params[0]))
    start, count = u16(params, 1), u16(params, 3)
    if start >= module.capacity:
        return fail(PAGE_OUT_OF_RANGE, 4)
    if identity is None:
        return fail(BAD_TEMPLATE, 4)
    for page in range(start, min(start + count, module.capacity)):
        stored = module.library.get(page)
        score = match_score(identity, stored and identity_of_template(stored, module.template_size))
        if score:
            module.passed = True
            return Reply(OK, page.to_bytes(2, 'big') + score.to_bytes(2, 'big'))
    module.passed = False
    return fail(NOT_FOUND, 4)


def reg_model(module, _params):
    first = module.identity_in_buffer(1)
    if first is None or first != module.identity_in_buffer(2):
        return Reply(COMBINE_FAILED)
    # The combined model lands in both buffers, as the datasheet describes.
    module.char_buffers[2] = module.char_buffers[1]
    return Reply(OK)


def store(module, params):
    buffer_id = char_buffer_id(params[0])
    page = u16(params, 1)
    if page >= module.capacity:
        return Reply(PAGE_OUT_OF_RANGE)
    if module.identity_in_buffer(buffer_id) is None:
        return Reply(BAD_TEMPLATE)
    module.library[page] = module.char_buffers[buffer_id]
    return Reply(OK)


def load_char(module, params):
    buffer_id = char_buffer_id(params[0])
    page = u16(params, 1)
    if page >= module.capacity:
        return Reply(PAGE_OUT_OF_RANGE)
    if page not in module.library:
        return Reply(BAD_TEMPLATE)
    module.char_buffers[buffer_id] = module.library[page]
    return Reply(OK)


def up_char(module, params):
    template = module.char_buffers[char_buffer_id(params[0])]
    if template is None:
        return Reply(UPLOAD_FAILED)
    return Reply(OK, upload=template)


def down_char(module, params):
    module.begin_download(char_buffer_id(params[0]))
    return Reply(OK)


def delete_char(module, params):
    page, count = u16(params, 0), u16(params, 2)
    if count == 0 or page + count > module.capacity:
        return Reply(DELETE_FAILED)
    for slot in range(page, page + count):
        module.library.pop(slot, None)
    return Reply(OK)


def empty(module, _params):
    module.library.clear()
    return Reply(OK)


def set_sys_para(module, params):
    register, value = params[0], params[1]
    if register == 4:
        if value not in module.model.baud_factors:
            return Reply(BAD_REGISTER_VALUE)
        return Reply(OK, after=lambda: setattr(module, 'baud_factor', value))
    if register == 5:
        if value not in SECURITY_LEVELS:
            return Reply(BAD_REGISTER_VALUE)
        module.security = value
        return Reply(OK)
    if register == 6:
        if value >= len(PACKET_SIZES):
            return Reply(BAD_REGISTER_VALUE)
        return Reply(OK, after=lambda: setattr(module, 'packet_size', PACKET_SIZES[value]))
    return Reply(BAD_REGISTER)


def read_sys_para(module, _params):
    fields = (
        module.status_register().to_bytes(2, 'big')
        + module.model.system_id.to_bytes(2, 'big')
        + module.capacity.to_bytes(2, 'big')
        + module.security.to_bytes(2, 'big')
        + module.address.to_bytes(4, 'big')
        + PACKET_SIZES.index(module.packet_size).to_bytes(2, 'big')
        + module.baud_factor.to_bytes(2, 'big')
    )
    return Reply(OK, fields)


def set_pwd(module, params):
    module.password = int.from_bytes(params, 'big')
    return Reply(OK)


def vfy_pwd(module, params):
    module.verified = int.from_bytes(params, 'big') == module.password
    return Reply(OK if module.verified else WRONG_PASSWORD)


def get_random_code(module, _params):
    return Reply(OK, module.random.getrandbits(32).to_bytes(4, 'big'))


def set_adder(module, params):
    # The acknowledgement already carries the new address.
    module.address = int.from_bytes(params, 'big')
    return Reply(OK)


def write_notepad(module, params):
    page = params[0]
    if page >= NOTEPAD_PAGES:
        return Reply(BAD_NOTEPAD_PAGE)
    module.notepad[page] = bytes(params[1:])
    return Reply(OK)


def read_notepad(module, params):
    page = params[0]
    if page >= NOTEPAD_PAGES:
        return fail(BAD_NOTEPAD_PAGE, NOTEPAD_PAGE_SIZE)
    return Reply(OK, module.notepad[page])


def templete_num(module, _params):
    return Reply(OK, len(module.library).to_bytes(2, 'big'))


def read_index_table(module, params):
    page = params[0]
    if page > 3:
        return fail(RECEIVE_ERROR, 32)
    bitmap = bytearray(32)
    for slot in module.library:
        if page * 256 <= slot < (page + 1) * 256:
            offset = slot - page * 256
            bitmap[offset // 8] |= 1 << (offset % 8)
    return Reply(OK, bytes(bitmap))


def aura_led_config(module, params):
    control, speed, colour, times = params
    module.aura = {'control': control, 'speed': speed, 'colour': colour, 'times': times}
    return Reply(OK)


def check_sensor(_module, _params):
    return Reply(OK)


def soft_rst(module, _params):
    return Reply(OK, after=module.soft_reset)


class Instruction:
    def __init__(self, name, handler, param_length, needs=None):
        self.name = name
        self.handler = handler
        self.param_length = param_length
        self.needs = needs      # a model feature the instruction exists only with


INSTRUCTIONS = {
    0x01: Instruction('GenImg', gen_img, 0),
    0x02: Instruction('Img2Tz', img2tz, 1),
    0x03: Instruction('Match', match, 0),
    0x04: Instruction('Search', search, 5),
    0x05: Instruction('RegModel', reg_model, 0),
    0x06: Instruction('Store', store, 3),
    0x07: Instruction('LoadChar', load_char, 3),
    0x08: Instruction('UpChar', up_char, 1),
    0x09: Instruction('DownChar', down_char, 1),
    0x0C: Instruction('DeleteChar', delete_char, 4),
    0x0D: Instruction('Empty', empty, 0),
    0x0E: Instruction('SetSysPara', set_sys_para, 2),
    0x0F: Instruction('ReadSysPara', read_sys_para, 0),
    0x12: Instruction('SetPwd', set_pwd, 4),
    0x13: Instruction('VfyPwd', vfy_pwd, 4),
    0x14: Instruction('GetRandomCode', get_random_code, 0),
    0x15: Instruction('SetAdder', set_adder, 4),
    0x18: Instruction('WriteNotepad', write_notepad, 1 + NOTEPAD_PAGE_SIZE),
    0x19: Instruction('ReadNotepad', read_notepad, 1),
    0x1B: Instruction('HighSpeedSearch', search, 5, needs='high_speed_search'),
    0x1D: Instruction('TempleteNum', templete_num, 0),
    0x1F: Instruction('ReadIndexTable', read_index_table, 1),
    0x28: Instruction('GetImageEx', get_image_ex, 0, needs='image_ex'),
    0x35: Instruction('AuraLedConfig', aura_led_config, 4, needs='aura'),
    0x36: Instruction('CheckSensor', check_sensor, 0),
    0x3D: Instruction('SoftRst', soft_rst, 0),
}
