// Pin map for an ESP32 DevKitC (ESP32-WROOM-32). See docs/hardware.md for the wiring table.
//
// The coils use 12 of the board's 15 "clean" GPIOs (no boot strapping, no flash, no UART, not
// input-only). 19 signals do not fit in 15 clean pins, so 4 lamps sit on strapping pins 2, 5, 12
// and 15. That is safe ONLY with LEDs wired active-high (GPIO → resistor → LED → GND): such a
// load can pull a pin low but never high, and low at reset is harmless on all four (GPIO12 low
// is even required: high would select 1.8 V flash).
#pragma once

#include <stdint.h>

#include "annunciator.h"

// X27.168 coil pins 1..4, in SwitecX25's pin order.
constexpr uint8_t PIN_FUEL_5H[4] = {32, 33, 25, 26};  // left header
constexpr uint8_t PIN_TACH[4] = {23, 22, 21, 19};     // right header
constexpr uint8_t PIN_FUEL_7D[4] = {18, 17, 16, 4};   // right header

// One LED per lamp, in Lamp order: OPUS SONNET HAIKU HOT WARN STALL IDLE.
constexpr uint8_t PIN_LAMPS[LAMP_COUNT] = {27, 14, 13, 12, 15, 2, 5};
