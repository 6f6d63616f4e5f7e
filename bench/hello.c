/* The reference FastCGI application for bench/run: libfcgi's threaded accept loop answering
 * the same JSON as GET /health, in the same shape as the tm pool (P processes x T threads). */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int listen_fd;

static void *serve(void *unused) {
    (void)unused;
    FCGX_Request request;
    FCGX_InitRequest(&request, listen_fd, 0);
    static const char response[] =
        "Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"status\":\"ok\"}";
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_PutStr(response, sizeof(response) - 1, request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: hello SOCKET PROCESSES THREADS\n"); return 2; }
    int processes = atoi(argv[2]), threads = atoi(argv[3]);
    FCGX_Init();
    signal(SIGTERM, SIG_DFL); /* FCGX_Init makes SIGTERM only set a flag: let it stop us */
    unlink(argv[1]);
    listen_fd = FCGX_OpenSocket(argv[1], 1024);
    if (listen_fd < 0) { perror("FCGX_OpenSocket"); return 1; }
    for (int p = 0; p < processes; p++) {
        if (fork() == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the bench */
            pthread_t ids[256];
            for (int t = 0; t < threads; t++) pthread_create(&ids[t], NULL, serve, NULL);
            for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
            return 0;
        }
    }
    while (wait(NULL) > 0) {}
    return 0;
}
