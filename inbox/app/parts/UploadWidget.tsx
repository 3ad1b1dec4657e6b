/**
 * The widget for a file field of a task's form (a string field with `contentMediaType`): the chosen file
 * is uploaded through the API's upload route at once, and the field holds the upload's id, which the
 * decision carries. The form library renders the label, the description and the errors around it.
 */
import type { WidgetProps } from '@rjsf/utils';
import { useState } from 'react';
import { upload } from '../api';

export interface Uploaded {
  id: string;
  name: string;
  size: number;
}

export function uploadWidget(uploadUrl: string) {
  return function UploadWidget(props: WidgetProps) {
    const { id, required, disabled, readonly, onChange, schema, value } = props;
    const [state, setState] = useState<{ busy?: boolean; done?: Uploaded; error?: string }>({});
    const accept = typeof schema.contentMediaType === 'string' && schema.contentMediaType !== '*/*' ? schema.contentMediaType : undefined;
    const statusId = `${id}__status`;
    return (
      <div className="upload">
        <input
          id={id}
          type="file"
          accept={accept}
          required={required && !value}
          disabled={disabled || readonly || state.busy}
          aria-describedby={statusId}
          onChange={async (event) => {
            const file = event.target.files?.[0];
            if (!file) return onChange(undefined);
            setState({ busy: true });
            try {
              const done = await upload<Uploaded>(uploadUrl, file);
              setState({ done });
              onChange(done.id);
            } catch (error) {
              setState({ error: (error as Error).message });
              onChange(undefined);
            }
          }}
        />
        <p id={statusId} role="status" className="hint">
          {state.busy ? 'Uploading…' : state.done ? `Uploaded ${state.done.name} (${Math.ceil(state.done.size / 1024)} KB)` : state.error ? `Upload failed: ${state.error}` : ''}
        </p>
      </div>
    );
  };
}
