// Host build of the few Arduino-ESP32 (core 2.0.x) calls the firmware and SwitecX25 make: time,
// pin modes and levels, LEDC PWM. Time is simulated: micros() and millis() move only when a test
// (or the simulator's pacing loop) moves them, or when code calls delay()/delayMicroseconds(), so
// the real SwitecX25 runs its acceleration table exactly and as fast as the host can go.
//
// ARDUINO stays undefined on purpose: ArduinoJson then builds for a plain C++ host instead of
// reaching for Arduino's String and Stream.
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef bool boolean;
typedef uint8_t byte;

#define LOW 0x0
#define HIGH 0x1
#define INPUT 0x01
#define OUTPUT 0x03

// 64 bits on this host, 32 on the ESP32: host runs never reach the ESP32's wrap-around (71 min for
// micros()); the firmware's own uint32_t millisecond arithmetic is tested for wrap separately.
unsigned long millis();
unsigned long micros();
void delay(uint32_t ms);
void delayMicroseconds(uint32_t us);

void pinMode(uint8_t pin, uint8_t mode);
void digitalWrite(uint8_t pin, uint8_t val);

// LEDC as in arduino-esp32 2.0.x (3.x renamed these; platformio.ini pins a 2.0.x core).
uint32_t ledcSetup(uint8_t channel, uint32_t freq, uint8_t resolution_bits);
void ledcAttachPin(uint8_t pin, uint8_t channel);
void ledcWrite(uint8_t channel, uint32_t duty);

// The host's side of the board: the clock and what the pins show. Not part of the Arduino API.
namespace host {
constexpr int kPins = 40;
constexpr int kChannels = 16;
/** Clears the clock, pins and channels. */
void reset();
void set_micros(uint64_t us);
void advance_micros(uint64_t us);
uint64_t now_micros();
extern uint8_t pin_mode[kPins];
extern uint8_t pin_level[kPins];
extern int channel_of_pin[kPins];  // -1 when not attached
extern uint32_t channel_duty[kChannels];
extern uint32_t channel_freq[kChannels];
extern unsigned long digital_writes;
}  // namespace host
