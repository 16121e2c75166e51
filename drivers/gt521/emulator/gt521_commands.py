"""What a GT-511C3 / GT-521F module does with each command.

The commands and ADH-Tech's NACK list are those of drivers/gt521/README.md.

Each handler takes the module and the 32-bit parameter and returns a Reply: ACK or NACK with a
parameter, optionally followed by a data packet (Open with info, GetTemplate, Enroll3 without a
slot) or by waiting for one from the host (SetTemplate).
"""

from fingers import identity_of_template, make_template

TEMPLATE_SIZE = 498
NO_SLOT = 0xFFFFFFFF  # EnrollStart(-1): enroll without saving, Enroll3 returns the template

NACK_INVALID_BAUDRATE = 0x1002
NACK_INVALID_POS = 0x1003
NACK_IS_NOT_USED = 0x1004
NACK_IS_ALREADY_USED = 0x1005
NACK_COMM_ERR = 0x1006
NACK_VERIFY_FAILED = 0x1007
NACK_IDENTIFY_FAILED = 0x1008
NACK_DB_IS_FULL = 0x1009
NACK_DB_IS_EMPTY = 0x100A
NACK_BAD_FINGER = 0x100C
NACK_ENROLL_FAILED = 0x100D
NACK_IS_NOT_SUPPORTED = 0x100E
NACK_INVALID_PARAM = 0x1011
NACK_FINGER_IS_NOT_PRESSED = 0x1012

BAUD_RATES = (9600, 19200, 38400, 57600, 115200)
SECURITY_LEVELS = range(1, 6)


class Reply:
    def __init__(self, acknowledged, parameter=0, data=None, after=None, expect_data=None):
        self.acknowledged = acknowledged
        self.parameter = parameter
        self.data = data                # a data packet sent right after the response
        self.after = after              # runs once the response is on the wire (new baud rate)
        self.expect_data = expect_data  # callback(bytes, checksum_ok) -> Reply for the host's data packet


def ack(parameter=0, **extra):
    return Reply(True, parameter, **extra)


def nack(error):
    return Reply(False, error)


def open_(module, parameter):
    if parameter == 0:
        return ack()
    info = (module.model.firmware_version.to_bytes(4, 'little')
            + module.model.iso_area_size.to_bytes(4, 'little') + module.serial_number)
    return ack(data=info)


def close(_module, _parameter):
    return ack()


def change_baudrate(module, parameter):
    if parameter not in BAUD_RATES:
        return nack(NACK_INVALID_BAUDRATE)
    return ack(after=lambda: setattr(module, 'baud', parameter))


def cmos_led(module, parameter):
    module.led_on = parameter != 0
    return ack()


def get_enroll_count(module, _parameter):
    return ack(len(module.database))


def _slot_error(module, slot):
    if slot >= module.capacity:
        return nack(NACK_INVALID_POS)
    if slot not in module.database:
        return nack(NACK_IS_NOT_USED)
    return None


def check_enrolled(module, slot):
    return _slot_error(module, slot) or ack()


def enroll_start(module, slot):
    module.enrollment = None
    if slot != NO_SLOT:
        if slot >= module.capacity:
            return nack(NACK_INVALID_POS)
        if len(module.database) >= module.capacity:
            return nack(NACK_DB_IS_FULL)
        if slot in module.database:
            return nack(NACK_IS_ALREADY_USED)
    module.enrollment = {'slot': slot, 'step': 0, 'finger': None}
    return ack()


def _enroll_step(module, step):
    enrollment = module.enrollment
    if enrollment is None or enrollment['step'] != step - 1 or module.image is None:
        module.enrollment = None
        return nack(NACK_ENROLL_FAILED)
    finger, quality = module.image
    if quality == 'poor':
        return nack(NACK_BAD_FINGER)
    duplicate = module.slot_of(finger)
    if duplicate is not None:
        # The NACK's value is the id already holding this finger (0..capacity-1).
        module.enrollment = None
        return nack(duplicate)
    if step > 1 and finger != enrollment['finger']:
        module.enrollment = None
        return nack(NACK_ENROLL_FAILED)
    enrollment['finger'] = finger
    enrollment['step'] = step
    return None


def enroll1(module, _parameter):
    return _enroll_step(module, 1) or ack()


def enroll2(module, _parameter):
    return _enroll_step(module, 2) or ack()


def enroll3(module, _parameter):
    failure = _enroll_step(module, 3)
    if failure:
        return failure
    enrollment, module.enrollment = module.enrollment, None
    template = make_template(enrollment['finger'], TEMPLATE_SIZE)
    if enrollment['slot'] == NO_SLOT:
        return ack(data=template)
    module.database[enrollment['slot']] = template
    return ack()


def is_press_finger(module, _parameter):
    # Dark sensor, no finger seen: the datasheet asks for the LED on before any finger check.
    pressed = module.led_on and module.board.sensor.finger is not None
    return ack(0 if pressed else NACK_FINGER_IS_NOT_PRESSED)


def capture_finger(module, _parameter):
    sensor = module.board.sensor
    if not module.led_on or sensor.finger is None:
        module.image = None
        return nack(NACK_FINGER_IS_NOT_PRESSED)
    module.image = (sensor.finger, sensor.quality)
    return ack()


def delete_id(module, slot):
    error = _slot_error(module, slot)
    if error:
        return error
    del module.database[slot]
    return ack()


def delete_all(module, _parameter):
    if not module.database:
        return nack(NACK_DB_IS_EMPTY)
    module.database.clear()
    return ack()


def _usable_image(module):
    return module.image is not None and module.image[1] == 'good'


def verify(module, slot):
    error = _slot_error(module, slot)
    if error:
        return error
    if not _usable_image(module) or module.slot_of(module.image[0]) != slot:
        return nack(NACK_VERIFY_FAILED)
    return ack()


def identify(module, _parameter):
    if not module.database:
        return nack(NACK_DB_IS_EMPTY)
    slot = module.slot_of(module.image[0]) if _usable_image(module) else None
    return nack(NACK_IDENTIFY_FAILED) if slot is None else ack(slot)


def get_template(module, slot):
    return _slot_error(module, slot) or ack(data=module.database[slot])


def set_template(module, parameter):
    slot = parameter & 0xFFFF
    check_duplicates = not (parameter >> 16) & 1
    if slot >= module.capacity:
        return nack(NACK_INVALID_POS)

    def on_data(template, checksum_ok):
        if not checksum_ok:
            return nack(NACK_COMM_ERR)
        identity = identity_of_template(template, TEMPLATE_SIZE)
        if identity is None:
            return nack(NACK_INVALID_PARAM)
        duplicate = module.slot_of_identity(identity) if check_duplicates else None
        if duplicate is not None and duplicate != slot:
            return nack(duplicate)
        module.database[slot] = bytes(template)
        return ack()

    return ack(expect_data=on_data)


def set_security_level(module, level):
    if level not in SECURITY_LEVELS:
        return nack(NACK_INVALID_PARAM)
    module.security = level
    return ack()


def get_security_level(module, _parameter):
    return ack(module.security)


COMMANDS = {
    0x01: ('Open', open_),
    0x02: ('Close', close),
    0x04: ('ChangeBaudrate', change_baudrate),
    0x12: ('CmosLed', cmos_led),
    0x20: ('GetEnrollCount', get_enroll_count),
    0x21: ('CheckEnrolled', check_enrolled),
    0x22: ('EnrollStart', enroll_start),
    0x23: ('Enroll1', enroll1),
    0x24: ('Enroll2', enroll2),
    0x25: ('Enroll3', enroll3),
    0x26: ('IsPressFinger', is_press_finger),
    0x40: ('DeleteID', delete_id),
    0x41: ('DeleteAll', delete_all),
    0x50: ('Verify1_1', verify),
    0x51: ('Identify1_N', identify),
    0x60: ('CaptureFinger', capture_finger),
    0x70: ('GetTemplate', get_template),
    0x71: ('SetTemplate', set_template),
    0xF0: ('SetSecurityLevel', set_security_level),
    0xF1: ('GetSecurityLevel', get_security_level),
}
