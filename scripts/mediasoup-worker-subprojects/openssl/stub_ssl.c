/* Placeholder: mediasoup reads libssl_lib for link_whole; the real library comes from openssl_dep. */
int aethex_libssl_stub(void) { return 0; }
