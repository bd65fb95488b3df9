/*
 * pcap_floor: the floor for reading a capture — libpcap's pcap_next_ex loop
 * with no decoding at all. Counts packets and captured bytes and prints them:
 *
 *     pcap_floor FILE        ->  "packets=N bytes=B"
 *
 * Built by scripts/bench-compare.sh with `cc -O2 -o pcap_floor pcap_floor.c -lpcap`.
 * Whatever a decoder adds on top of this is its own cost.
 */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], errbuf);
    if (p == NULL) {
        fprintf(stderr, "pcap_floor: %s\n", errbuf);
        return 2;
    }
    struct pcap_pkthdr *header;
    const u_char *data;
    unsigned long long packets = 0, bytes = 0;
    volatile u_char sink = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &header, &data)) == 1) {
        packets++;
        bytes += header->caplen;
        if (header->caplen > 0)
            sink ^= data[0]; /* touch the frame, as any reader would */
    }
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "pcap_floor: %s\n", pcap_geterr(p));
        pcap_close(p);
        return 2;
    }
    pcap_close(p);
    printf("packets=%llu bytes=%llu\n", packets, bytes);
    return 0;
}
