/* serial.h - polled 16550 UART on COM1 (0x3F8), 115200 baud 8N1. */
#ifndef PACIFICA_LIB_SERIAL_H
#define PACIFICA_LIB_SERIAL_H

#define SERIAL_COM1 0x3F8

void serial_init(void);
/* Transmit one byte, waiting for LSR.THRE; '\n' is sent as "\r\n". */
void serial_putc(char c);
void serial_puts(const char *s);

#endif
