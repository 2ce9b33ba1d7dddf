// Blocking TCP helpers with timeouts, shared by the host HTTPClient and WebSocketsClient.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hostnet {
/** A connected socket, or -1 when host:port did not answer within timeout_ms. */
int connect_tcp(const char* host, uint16_t port, uint32_t timeout_ms);
bool send_all(int fd, const void* data, size_t n);
/** Up to n bytes: >0 read, 0 nothing within timeout_ms, -1 closed or failed. */
long recv_some(int fd, void* buf, size_t n, uint32_t timeout_ms);
void close_fd(int& fd);
}  // namespace hostnet
