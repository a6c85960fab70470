/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the monitor hands to berth-shim and back: attach clients as command
 * line arguments, the loop stopping at the handoff time while the process
 * runs (and only between messages), and --uidmap's id mapping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/attach.h"
#include "engine/engine.h"
#include "engine/monitor.h"

static void test_clients_roundtrip(void **state)
{
	struct mon_run r = {.listen_fd = -1}, back = {.listen_fd = -1};
	_cleanup_strv_ char **argv = NULL;
	_cleanup_strv_ char **values = NULL;
	int a[2], b[2];

	assert_int_equal(pipe2(a, O_CLOEXEC), 0);
	assert_int_equal(pipe2(b, O_CLOEXEC), 0);
	r.clients = calloc(2, sizeof(*r.clients));
	r.clients[0] = (struct mon_client){.fd = a[0], .hello = true, .streams = ENG_ATTACH_STREAM_STDOUT};
	r.clients[1] = (struct mon_client){.fd = b[0], .hello = false, .streams = 0};
	r.n_clients = 2;
	mon_clients_to_args(&r, &argv);
	assert_int_equal(strv_length(argv), 2);
	/* handed on across exec: no close-on-exec */
	assert_int_equal(fcntl(a[0], F_GETFD) & FD_CLOEXEC, 0);
	for (size_t i = 0; argv[i]; i++) {
		assert_true(!strncmp(argv[i], "--client=", 9));
		strv_push(&values, argv[i] + 9);
	}
	strv_push(&values, "junk");
	strv_push(&values, "-1:0:0");
	mon_clients_parse(&back, values);
	assert_int_equal(back.n_clients, 2);
	assert_int_equal(back.clients[0].fd, a[0]);
	assert_true(back.clients[0].hello);
	assert_int_equal(back.clients[0].streams, ENG_ATTACH_STREAM_STDOUT);
	assert_int_equal(back.clients[1].fd, b[0]);
	assert_false(back.clients[1].hello);
	/* taken back: close-on-exec again */
	assert_int_equal(fcntl(a[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	free(r.clients);
	free(back.clients);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

/* A child that writes a line, waits until go closes, and exits with 3. */
static pid_t child(int out_r, int out_w, int go_r, int go_w)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		char c;

		close(out_r);
		close(go_w);
		if (write(out_w, "hi\n", 3) != 3)
			_exit(1);
		while (read(go_r, &c, 1) > 0)
			;
		_exit(3);
	}
	return pid;
}

static void test_wait_handoff(void **state)
{
	struct mon_run r = {.listen_fd = -1, .err_fd = -1, .in_fd = -1, .pidfd = -1};
	int out[2], go[2], status = -1;
	long long t0;

	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	r.pid = child(out[0], out[1], go[0], go[1]);
	close(out[1]);
	close(go[0]);
	r.out_fd = out[0];
	/* still running at the handoff time: false, and the state is whole */
	t0 = mon_now_ms();
	assert_false(mon_wait(&r, t0 + 200, &status));
	assert_true(mon_now_ms() - t0 >= 200);
	assert_true(r.out_fd >= 0);
	/* the process ends: true with its status, whatever the handoff time */
	close(go[1]);
	assert_true(mon_wait(&r, mon_now_ms() + 60000, &status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	if (r.out_fd >= 0)
		close(r.out_fd);
}

static void test_idmap(void **state)
{
	json_t *hc =
		json_pack("{s:{s:[{s:i,s:i,s:i},{s:i,s:i,s:i}],s:[]}}", "BerthIDMappings", "UIDMap", "ContainerID", 0,
			  "HostID", 100000, "Size", 1000, "ContainerID", 1000, "HostID", 300000, "Size", 10, "GIDMap");

	assert_int_equal(eng_idmap_host_id(hc, "UIDMap", 0), 100000);
	assert_int_equal(eng_idmap_host_id(hc, "UIDMap", 999), 100999);
	assert_int_equal(eng_idmap_host_id(hc, "UIDMap", 1005), 300005);
	assert_int_equal(eng_idmap_host_id(hc, "UIDMap", 1010), -1);
	/* an empty GIDMap takes the UIDMap, as --uidmap alone maps both */
	assert_int_equal(eng_idmap_host_id(hc, "GIDMap", 1), 100001);
	json_decref(hc);
	hc = json_object();
	assert_int_equal(eng_idmap_host_id(hc, "UIDMap", 0), -1);
	json_decref(hc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clients_roundtrip),
		cmocka_unit_test(test_wait_handoff),
		cmocka_unit_test(test_idmap),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
