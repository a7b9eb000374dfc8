/* Placeholder: mediasoup reads the libuv library for link_whole; the real library comes from libuv_dep. */
int aethex_libuv_stub(void) { return 0; }
