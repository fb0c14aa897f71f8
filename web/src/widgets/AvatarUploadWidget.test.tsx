import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, fakeContext, renderForm } from '../test/helpers';

const schema = {
  type: 'object' as const,
  properties: {
    avatar: {
      type: 'object' as const,
      title: 'Avatar',
      properties: { type: { type: 'string' as const, enum: ['default', 'upload', 'url'], default: 'default' }, url: { type: 'string' as const, format: 'uri' } },
    },
  },
};
const uiSchema = { avatar: { 'ui:field': 'AvatarUploadWidget' } };

describe('AvatarUploadWidget (a ui:field)', () => {
  it('starts on the default image', () => {
    renderForm({ schema, uiSchema, formData: { avatar: { type: 'default' } } });
    expect(screen.getByRole('group', { name: 'Avatar' })).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: 'Default image' })).toBeChecked();
    expect(screen.getByRole('img', { name: 'Default avatar' })).toBeInTheDocument();
  });

  it('takes an image URL', async () => {
    const form = renderForm({ schema, uiSchema, formData: { avatar: { type: 'default' } } });
    await userEvent.click(screen.getByRole('radio', { name: 'Image from a URL' }));
    expect(form.last()).toEqual({ avatar: { type: 'url' } });
    await userEvent.type(screen.getByLabelText('Image URL'), 'https://example.com/a.png');
    expect(form.last()).toEqual({ avatar: { type: 'url', url: 'https://example.com/a.png' } });
    expect(screen.getByRole('img', { name: 'Avatar preview' })).toHaveAttribute('src', 'https://example.com/a.png');
  });

  it('uploads through POST /files?purpose=avatar and keeps the absolute public URL', async () => {
    const uploadFile = vi.fn(() => Promise.resolve({ id: 'f1', filename: 'me.png', public_url: '/public/avatars/f1' }));
    const form = renderForm({ schema, uiSchema, formData: { avatar: { type: 'upload' } }, context: fakeContext(fakeApi({ uploadFile })) });
    const file = new File([new Uint8Array([137, 80, 78, 71])], 'me.png', { type: 'image/png' });
    await userEvent.upload(screen.getByLabelText(/Image file/), file);
    await waitFor(() => expect(form.last()).toEqual({ avatar: { type: 'upload', url: `${window.location.origin}/public/avatars/f1` } }));
    expect(uploadFile).toHaveBeenCalledWith(file, 'me.png', 'avatar');
  });

  it('shows a refused upload and goes back to the default', async () => {
    const uploadFile = vi.fn(() => Promise.reject(new Error('an avatar is a PNG, JPEG, GIF or WebP image')));
    const form = renderForm({ schema, uiSchema, formData: { avatar: { type: 'upload' } }, context: fakeContext(fakeApi({ uploadFile })) });
    await userEvent.upload(screen.getByLabelText(/Image file/), new File(['not really a png'], 'a.png', { type: 'image/png' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('PNG, JPEG');
    await userEvent.click(screen.getByRole('radio', { name: 'Default image' }));
    expect(form.last()).toEqual({ avatar: { type: 'default' } });
  });
});
