// The simulator's ESP32 core: Print, Serial, FreeRTOS and WiFi on the host.
#include <Arduino.h>
#include <WiFi.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

static std::mutex s_out;

size_t Print::write(const uint8_t* buffer, size_t size) {
  size_t n = 0;
  while (n < size && write(buffer[n]) == 1) ++n;
  return n;
}

HardwareSerial Serial;

void HardwareSerial::begin(unsigned long) {}

size_t HardwareSerial::write(uint8_t c) {
  std::lock_guard<std::mutex> lock(s_out);
  return fputc(c, stdout) == EOF ? 0 : 1;
}

size_t HardwareSerial::printf(const char* format, ...) {
  std::lock_guard<std::mutex> lock(s_out);
  va_list args;
  va_start(args, format);
  const int n = vprintf(format, args);
  va_end(args);
  fflush(stdout);
  return n < 0 ? 0 : static_cast<size_t>(n);
}

size_t HardwareSerial::println(const char* s) {
  std::lock_guard<std::mutex> lock(s_out);
  const int n = fprintf(stdout, "%s\n", s);
  fflush(stdout);
  return n < 0 ? 0 : static_cast<size_t>(n);
}

SemaphoreHandle_t xSemaphoreCreateMutex() { return new std::mutex; }

BaseType_t xSemaphoreTake(SemaphoreHandle_t sem, TickType_t) {
  static_cast<std::mutex*>(sem)->lock();
  return pdPASS;
}

BaseType_t xSemaphoreGive(SemaphoreHandle_t sem) {
  static_cast<std::mutex*>(sem)->unlock();
  return pdPASS;
}

BaseType_t xTaskCreatePinnedToCore(TaskFunction_t fn, const char*, const uint32_t, void* params, UBaseType_t,
                                   TaskHandle_t*, const BaseType_t) {
  std::thread(fn, params).detach();
  return pdPASS;
}

void vTaskDelay(const TickType_t ticks) { std::this_thread::sleep_for(std::chrono::milliseconds(ticks)); }

WiFiClass WiFi;

bool WiFiClass::mode(wifi_mode_t) { return true; }
bool WiFiClass::setSleep(bool) { return true; }
bool WiFiClass::setAutoReconnect(bool) { return true; }
wl_status_t WiFiClass::begin(const char*, const char*, int32_t, const uint8_t*, bool) { return WL_CONNECTED; }
bool WiFiClass::disconnect(bool, bool) { return true; }
wl_status_t WiFiClass::status() { return WL_CONNECTED; }
