ALTER TABLE "apps" ADD COLUMN "previous_secret_ciphertext" text;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "previous_secret_expires_at" timestamp with time zone;