// Host stand-in for the few Arduino-ESP32 (core 2.0.x) calls the firmware logic makes: time, pin
// modes and levels, and LEDC PWM. The clock only moves when a test moves it, so timelines are exact.
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef bool boolean;
typedef uint8_t byte;

#define LOW 0x0
#define HIGH 0x1
#define INPUT 0x01
#define OUTPUT 0x03

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

// Test-side controls and observations; not part of the Arduino API.
namespace stub {
constexpr int kPins = 40;
constexpr int kChannels = 16;
void reset();
void set_millis(unsigned long ms);
void advance_millis(unsigned long ms);
extern uint8_t pin_mode[kPins];
extern uint8_t pin_level[kPins];
extern int channel_of_pin[kPins];  // -1 when not attached
extern uint32_t channel_duty[kChannels];
extern uint32_t channel_freq[kChannels];
extern unsigned long digital_writes;
}  // namespace stub
