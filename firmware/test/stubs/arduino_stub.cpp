#include "Arduino.h"

namespace stub {
static unsigned long now_us = 0;
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
void set_millis(unsigned long ms) { now_us = ms * 1000UL; }
void advance_millis(unsigned long ms) { now_us += ms * 1000UL; }
}  // namespace stub

unsigned long millis() { return stub::now_us / 1000UL; }
unsigned long micros() { return stub::now_us; }
void delay(uint32_t ms) { stub::now_us += ms * 1000UL; }
void delayMicroseconds(uint32_t us) { stub::now_us += us; }

void pinMode(uint8_t pin, uint8_t mode) {
  if (pin < stub::kPins) stub::pin_mode[pin] = mode;
}

void digitalWrite(uint8_t pin, uint8_t val) {
  if (pin < stub::kPins) stub::pin_level[pin] = val;
  ++stub::digital_writes;
}

uint32_t ledcSetup(uint8_t channel, uint32_t freq, uint8_t resolution_bits) {
  (void)resolution_bits;
  if (channel >= stub::kChannels) return 0;
  stub::channel_freq[channel] = freq;
  return freq;
}

void ledcAttachPin(uint8_t pin, uint8_t channel) {
  if (pin < stub::kPins) stub::channel_of_pin[pin] = channel;
}

void ledcWrite(uint8_t channel, uint32_t duty) {
  if (channel < stub::kChannels) stub::channel_duty[channel] = duty;
}
