#include "Arduino.h"

#include <atomic>

namespace host {
// Atomic: in the simulator the network thread reads the clock while the loop thread moves it.
static std::atomic<uint64_t> now_us{0};
uint8_t pin_mode[kPins];
uint8_t pin_level[kPins];
int channel_of_pin[kPins];
uint32_t channel_duty[kChannels];
uint32_t channel_freq[kChannels];
unsigned long digital_writes = 0;

void reset() {
  now_us = 0;
  digital_writes = 0;
  for (int i = 0; i < kPins; ++i) {
    pin_mode[i] = 0;
    pin_level[i] = 0;
    channel_of_pin[i] = -1;
  }
  for (int i = 0; i < kChannels; ++i) {
    channel_duty[i] = 0;
    channel_freq[i] = 0;
  }
}
void set_micros(uint64_t us) { now_us = us; }
void advance_micros(uint64_t us) { now_us += us; }
uint64_t now_micros() { return now_us; }
}  // namespace host

unsigned long millis() { return static_cast<unsigned long>(host::now_us / 1000); }
unsigned long micros() { return static_cast<unsigned long>(host::now_us); }
void delay(uint32_t ms) { host::now_us += uint64_t{ms} * 1000; }
void delayMicroseconds(uint32_t us) { host::now_us += us; }

void pinMode(uint8_t pin, uint8_t mode) {
  if (pin < host::kPins) host::pin_mode[pin] = mode;
}

void digitalWrite(uint8_t pin, uint8_t val) {
  if (pin < host::kPins) host::pin_level[pin] = val;
  ++host::digital_writes;
}

uint32_t ledcSetup(uint8_t channel, uint32_t freq, uint8_t resolution_bits) {
  (void)resolution_bits;
  if (channel >= host::kChannels) return 0;
  host::channel_freq[channel] = freq;
  return freq;
}

void ledcAttachPin(uint8_t pin, uint8_t channel) {
  if (pin < host::kPins) host::channel_of_pin[pin] = channel;
}

void ledcWrite(uint8_t channel, uint32_t duty) {
  if (channel < host::kChannels) host::channel_duty[channel] = duty;
}
