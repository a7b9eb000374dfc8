/* Placeholder: mediasoup reads the libsrtp2 library for link_whole; the real library comes from libsrtp2_dep. */
int aethex_libsrtp2_stub(void) { return 0; }
