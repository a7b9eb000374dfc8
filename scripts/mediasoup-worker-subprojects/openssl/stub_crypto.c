/* Placeholder: mediasoup reads libcrypto_lib for link_whole; the real library comes from openssl_dep. */
int aethex_libcrypto_stub(void) { return 0; }
