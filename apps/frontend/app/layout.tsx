import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

// Rendered per request: each page carries its own script nonce (proxy.ts, lib/csp.ts),
// which a page prerendered at build time cannot.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Todos',
  description: 'A todo list with an assistant that can manage it for you',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
