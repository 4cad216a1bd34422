#ifndef ARBOR_HTTP_H
#define ARBOR_HTTP_H

#include <stddef.h>

/* One blocking HTTP exchange over the system libcurl: no event loop and no thread pool, so a
 * decode loop that waits for its reply cannot starve whatever would deliver it.
 *
 * Ownership: `body` of a response is allocated here (malloc); free it with
 * arbor_http_response_free. */

typedef struct {
    long status;            /* the HTTP status, 0 when the exchange failed */
    char *body;             /* the reply's bytes (NUL-terminated; `length` excludes the NUL) */
    size_t length;
    char error[256];        /* what went wrong when the exchange failed */
} arbor_http_response;

/* Sends `method` ("GET" or "POST") to `url` with `body` (POST: `body_length` bytes of JSON)
 * and an optional bearer token; waits at most `timeout_seconds` in all. Returns 0 when a
 * reply came back (any status), -1 when none did (`error` says why). */
int arbor_http_exchange(const char *url, const char *method, const char *body, size_t body_length,
                        const char *bearer, double timeout_seconds, arbor_http_response *response);

void arbor_http_response_free(arbor_http_response *response);

#endif
