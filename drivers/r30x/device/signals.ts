/**
 * What the R503's aura ring shows for each signal when no GPIO feedback is wired. Only the three
 * colours every R503 has are used, so the signals differ by pattern as well as colour and stay
 * pairwise distinct on any ring.
 */
import type { ModuleSignal } from '../../scanner.js';
import { AuraColor, AuraControl, type AuraLight } from '../framing/instructions.js';

const SLOW = 0x80;
const QUICK = 0x30;
const FOREVER = 0;

export const SIGNAL_LIGHTS: Readonly<Record<ModuleSignal, AuraLight>> = {
  idle: { control: AuraControl.Breathing, speed: SLOW, color: AuraColor.Blue, times: FOREVER },
  busy: { control: AuraControl.On, speed: 0, color: AuraColor.Purple, times: FOREVER },
  accepted: { control: AuraControl.Flashing, speed: QUICK, color: AuraColor.Blue, times: 2 },
  already: { control: AuraControl.Flashing, speed: QUICK, color: AuraColor.Purple, times: 2 },
  rejected: { control: AuraControl.Flashing, speed: QUICK, color: AuraColor.Red, times: 3 },
  fault: { control: AuraControl.On, speed: 0, color: AuraColor.Red, times: FOREVER },
};
