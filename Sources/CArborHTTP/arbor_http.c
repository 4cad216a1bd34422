#include "arbor_http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t global_init_once = PTHREAD_ONCE_INIT;

static void global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static size_t append_body(char *data, size_t size, size_t count, void *context) {
    arbor_http_response *response = context;
    size_t bytes = size * count;
    char *grown = realloc(response->body, response->length + bytes + 1);
    if (!grown) return 0; /* makes curl fail with a write error */
    memcpy(grown + response->length, data, bytes);
    response->length += bytes;
    grown[response->length] = 0;
    response->body = grown;
    return bytes;
}

int arbor_http_exchange(const char *url, const char *method, const char *body, size_t body_length,
                        const char *bearer, double timeout_seconds, arbor_http_response *response) {
    pthread_once(&global_init_once, global_init);
    memset(response, 0, sizeof *response);
    CURL *curl = curl_easy_init();
    if (!curl) {
        snprintf(response->error, sizeof response->error, "libcurl could not start");
        return -1;
    }
    char error[CURL_ERROR_SIZE] = {0};
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    char authorization[1024];
    if (bearer && *bearer) {
        snprintf(authorization, sizeof authorization, "Authorization: Bearer %s", bearer);
        headers = curl_slist_append(headers, authorization);
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)(timeout_seconds * 1000));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, response);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_length);
    } else {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }
    CURLcode code = curl_easy_perform(curl);
    int result = 0;
    if (code == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response->status);
    } else {
        snprintf(response->error, sizeof response->error, "%s", error[0] ? error : curl_easy_strerror(code));
        response->status = 0;
        result = -1;
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return result;
}

void arbor_http_response_free(arbor_http_response *response) {
    free(response->body);
    response->body = NULL;
    response->length = 0;
}
